/** A bare HTTPS client for tests: the simulator's certificate pinned as the only trusted one. */
import { Agent, request } from 'undici';

export interface RioResponse {
  status: number;
  contentType: string | undefined;
  body: string;
  /** Milliseconds from sending the request to the end of the body. */
  elapsedMs: number;
}

export class RioTestClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    certificate: string | undefined,
  ) {
    // Trust exactly this certificate, so the test proves real verification, not a disabled one.
    this.agent = new Agent({ connect: certificate ? { ca: certificate } : {}, bodyTimeout: 60_000, headersTimeout: 60_000 });
  }

  /** GETs a path such as `/x/rioget?1*1*pw`; rejects when the server drops the connection. */
  async get(path: string): Promise<RioResponse> {
    const started = performance.now();
    const response = await request(`${this.baseUrl}${path}`, { dispatcher: this.agent });
    const body = await response.body.text();
    const contentType = response.headers['content-type'];
    return {
      status: response.statusCode,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      body,
      elapsedMs: performance.now() - started,
    };
  }

  /** Resolves with how long the server held a request before dropping it without any answer. */
  async expectDropped(path: string): Promise<number> {
    const started = performance.now();
    try {
      const response = await this.get(path);
      throw new Error(`expected the connection to be dropped, got HTTP ${response.status}: ${response.body}`);
    } catch (error) {
      if ((error as Error).message.startsWith('expected the connection')) throw error;
      return performance.now() - started;
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
