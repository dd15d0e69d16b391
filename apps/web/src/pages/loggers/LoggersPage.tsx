/** Data loggers: replication from the remotes is not built yet, and the page says so. */
export function LoggersPage() {
  return (
    <section aria-labelledby="loggers-title">
      <h1 id="loggers-title" className="mb-2 text-lg font-semibold">
        Loggers
      </h1>
      <p className="text-sm">This hub does not replicate data loggers yet: no history is stored, so there is nothing to chart.</p>
    </section>
  );
}
