import { InputFile } from 'grammy';
import type { Document, Message } from 'grammy/types';
import type { Attachment, ReplyFile } from '../core/types.js';

/** Telegram lets bots download files of up to 20 MB (Bot API getFile). */
export const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
/** How long one download may take before it is given up. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * A file that is larger than the caller accepts (or than Telegram lets bots download): refused before
 * downloading when the size is known, or cut off mid-download when more bytes arrive than allowed.
 */
export class AttachmentTooLargeError extends Error {
  constructor(
    readonly fileName: string,
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`the file ${JSON.stringify(fileName)} is larger than ${maxBytes} bytes`);
    this.name = 'AttachmentTooLargeError';
  }
}

/** A download that failed for another reason (getFile refused, the file server answered an error, the network). */
export class AttachmentDownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttachmentDownloadError';
  }
}

export interface FileDownloader {
  /** Bot API getFile: the file's path on the file server. */
  getFile(fileId: string): Promise<{ file_path?: string; file_size?: number }>;
  apiRoot: string;
  token: string;
  /** Aborted when the adapter stops. */
  signal?: AbortSignal;
}

/** The bot token cut out of a text (the download URL carries it). */
export function redactToken(text: string, token: string): string {
  return token === '' ? text : text.split(token).join('<bot-token>');
}

/** The document a message carries, or the one of the message it replies to. */
export function documentOf(message: Pick<Message, 'document' | 'reply_to_message'>): Document | undefined {
  return message.document ?? message.reply_to_message?.document;
}

/**
 * CommandInput.attachment for a Telegram document: `download` asks getFile for the path and streams
 * `<apiRoot>/file/bot<token>/<file_path>`, refusing before any call when the document is larger than
 * `maxBytes` or than Telegram's 20 MB, and aborting when more bytes arrive than allowed. Errors never
 * carry the token.
 */
export function attachmentOf(document: Document, downloader: FileDownloader): Attachment {
  const fileName = document.file_name ?? 'file';
  const size = document.file_size ?? 0;
  return {
    fileName,
    size,
    download: (maxBytes: number) => download(document.file_id, fileName, size, Math.min(maxBytes, TELEGRAM_DOWNLOAD_LIMIT), downloader),
  };
}

async function download(fileId: string, fileName: string, size: number, maxBytes: number, d: FileDownloader): Promise<Uint8Array> {
  if (size > maxBytes) throw new AttachmentTooLargeError(fileName, size, maxBytes);
  const cut = (text: string) => redactToken(text, d.token);
  let path: string | undefined;
  try {
    const file = await d.getFile(fileId);
    if (file.file_size !== undefined && file.file_size > maxBytes) throw new AttachmentTooLargeError(fileName, file.file_size, maxBytes);
    path = file.file_path;
  } catch (error) {
    if (error instanceof AttachmentTooLargeError) throw error;
    const text = error instanceof Error ? error.message : String(error);
    if (/file is too big/i.test(text)) throw new AttachmentTooLargeError(fileName, size, maxBytes);
    throw new AttachmentDownloadError(`getFile failed: ${cut(text)}`);
  }
  if (path === undefined || path === '') throw new AttachmentDownloadError('getFile returned no file_path');

  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(new Error('download timed out')), DOWNLOAD_TIMEOUT_MS);
  const stop = () => controller.abort(new Error('the bot is stopping'));
  d.signal?.addEventListener('abort', stop, { once: true });
  const url = `${d.apiRoot.replace(/\/+$/, '')}/file/bot${d.token}/${path.split('/').map(encodeURIComponent).join('/')}`;
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : error instanceof Error ? error.message : String(error);
      throw new AttachmentDownloadError(`downloading the file failed: ${cut(detail)}`);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new AttachmentDownloadError(`downloading the file failed: HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      controller.abort();
      throw new AttachmentTooLargeError(fileName, declared, maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > maxBytes) {
          await reader.cancel().catch(() => undefined);
          controller.abort();
          throw new AttachmentTooLargeError(fileName, received, maxBytes);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof AttachmentTooLargeError) throw error;
      throw new AttachmentDownloadError(`downloading the file failed: ${cut(error instanceof Error ? error.message : String(error))}`);
    }
    const bytes = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  } finally {
    clearTimeout(timeout);
    d.signal?.removeEventListener('abort', stop);
  }
}

/** What may go into a multipart file name (grammY refuses CR and LF, and writes the name unquoted). */
export function uploadName(fileName: string): string {
  const cleaned = fileName.replace(/[\r\n"]/g, '').replace(/[/\\]/g, '_').trim();
  return cleaned === '' ? 'file' : cleaned;
}

/**
 * An InputFile that streams a ReplyFile's chunks into the upload as they are produced (strings as
 * UTF-8). A supplier, so a retried request (after a flood wait) produces the content anew.
 *
 * The part's content type: grammY writes every file part as application/octet-stream and offers no
 * way to set it; Telegram decides a document's mime_type from its name, so the name's extension is
 * what carries `contentType` (a name without one gets the extension of the content type added).
 */
export function inputFileOf(file: ReplyFile): InputFile {
  const encoder = new TextEncoder();
  async function* bytes(): AsyncIterable<Uint8Array> {
    for await (const chunk of file.content()) {
      const data = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      if (data.byteLength > 0) yield data;
    }
  }
  return new InputFile(() => bytes(), nameWithExtension(uploadName(file.fileName), file.contentType));
}

const EXTENSIONS: Record<string, string> = {
  'text/csv': 'csv',
  'application/json': 'json',
  'text/plain': 'txt',
  'application/zip': 'zip',
};

function nameWithExtension(name: string, contentType: string): string {
  if (/\.[A-Za-z0-9]{1,8}$/.test(name)) return name;
  const extension = EXTENSIONS[contentType.split(';')[0]?.trim().toLowerCase() ?? ''];
  return extension === undefined ? name : `${name}.${extension}`;
}
