// A minimal Trakt client for the emulator's own tests: real HTTP with global fetch, Trakt's headers.

import type { TraktEmulator } from './index.js';

export interface CallOptions {
  token?: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export async function call<T = unknown>(emulator: TraktEmulator, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'trakt-api-key': emulator.clientId,
    'trakt-api-version': '2',
    'user-agent': 'marquee-emulator-tests/1.0',
    ...options.headers,
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${emulator.url}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
    redirect: 'manual',
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}
