/** What a write request looks like, over REST or the WebSocket. */
import { z } from 'zod';

export const writeSchema = z
  .object({ name: z.string().min(1).max(1000), value: z.string(), kind: z.enum(['io', 'ui']).optional() })
  .strict();
