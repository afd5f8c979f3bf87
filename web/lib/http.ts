// Route handlers' plumbing: read a JSON body (a bad one is a 400 naming "body") and answer an
// HttpResult as JSON.
import { NextResponse } from 'next/server';
import { invalid, type HttpResult } from './assets';

export function respond(result: HttpResult): NextResponse {
  return NextResponse.json(result.body, { status: result.status });
}

/** The request's JSON body, or the 400 to answer instead. */
export async function jsonBody(request: Request): Promise<{ ok: true; body: unknown } | { ok: false; answer: HttpResult }> {
  try {
    return { ok: true, body: await request.json() };
  } catch {
    return { ok: false, answer: invalid('body', 'must be JSON') };
  }
}
