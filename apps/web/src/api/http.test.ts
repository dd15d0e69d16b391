// The dashboard's REST client: routes named from the hub's route map, answers always a Result.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AuditRecord, Result, User } from '@riohub/hub-api';
import { call } from './http';

describe('call', () => {
  it('answers a Result, never a thrown error, when the hub cannot be reached', async () => {
    // No page here: the relative URL cannot be fetched, as when the hub is gone.
    const result = await call('session');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('connection-failed');
  });

  it('takes only what the route map gives a route, and answers its type', () => {
    expectTypeOf(call<'session'>).returns.toEqualTypeOf<Promise<Result<User>>>();
    expectTypeOf(call<'audit'>).returns.toEqualTypeOf<Promise<Result<AuditRecord[]>>>();
    // Checked by the compiler only: none of these is sent.
    const wrong = () => {
      // @ts-expect-error -- no such route
      void call('sessions');
      // @ts-expect-error -- the route needs the user's name
      void call('deleteUser');
      // @ts-expect-error -- a sign-in needs a body
      void call('signIn', {});
      // @ts-expect-error -- the body is a name and a password
      void call('signIn', {}, { name: 'admin' });
      // @ts-expect-error -- the write log has no filter
      void call('writeLog', { filter: 'x' });
    };
    expect(typeof wrong).toBe('function');
  });
});
