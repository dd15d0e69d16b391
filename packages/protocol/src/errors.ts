/** The one error type of the protocol package: what was wrong with a URL, a response or a setting. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(message: string) {
    super(message);
  }
}
