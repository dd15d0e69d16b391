/**
 * Classes that turn a table into one card per row below the `sm` width (640 px): a phone then
 * reads each record top to bottom instead of scrolling a table sideways. The markup stays a table
 * (rows and cells keep their roles); its header is kept for screen readers only, and a cell that
 * needs one shows its column's name from its `data-label`.
 */
export const stacked = {
  table: 'max-sm:block',
  head: 'max-sm:sr-only',
  body: 'max-sm:block',
  row: 'max-sm:flex max-sm:flex-wrap max-sm:items-baseline max-sm:gap-x-3 max-sm:gap-y-0.5 max-sm:border-b max-sm:border-slate-200 max-sm:py-2 max-sm:dark:border-slate-800',
  /** A cell on a phone: no borders or padding of its own (the row has them). */
  cell: 'max-sm:block max-sm:border-0 max-sm:p-0',
  /** A cell that takes a line of its own on a phone. */
  line: 'max-sm:basis-full',
  /** A cell preceded by its column's name (`data-label`) on a phone. */
  labelled: 'max-sm:before:mr-1 max-sm:before:text-slate-500 max-sm:before:content-[attr(data-label)] max-sm:dark:before:text-slate-400',
};
