// Request parameter decoding as the Bot API accepts it: query string, application/json,
// application/x-www-form-urlencoded and multipart/form-data (files and plain fields). Telegram treats
// every parameter as a string that may hold JSON, so object-valued fields arriving as strings
// (grammY sends `reply_markup` inside multipart that way) are parsed here once.

export interface UploadedFile {
  /** Name of the multipart part (grammY uses a random id and refers to it as `attach://<id>`). */
  field: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

export interface DecodedBody {
  transport: 'json' | 'form' | 'multipart' | 'query' | 'none';
  params: Record<string, unknown>;
  files: UploadedFile[];
}

export class BodyError extends Error {}

/** Fields whose value is a JSON-serialised object or array in the Bot API. */
const JSON_FIELDS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'allowed_updates', 'commands', 'scope', 'reply_parameters',
  'link_preview_options', 'media', 'results', 'permissions', 'menu_button', 'rights', 'options', 'explanation_entities',
  'question_entities', 'input_message_content', 'button', 'text_entities', 'message_ids',
]);
const INT_FIELDS = new Set([
  'chat_id', 'message_id', 'message_thread_id', 'offset', 'limit', 'timeout', 'cache_time', 'user_id', 'from_chat_id',
  'reply_to_message_id', 'max_connections', 'duration', 'width', 'height',
]);
const BOOL_FIELDS = new Set([
  'disable_notification', 'protect_content', 'show_alert', 'drop_pending_updates', 'allow_sending_without_reply',
  'disable_web_page_preview', 'has_spoiler', 'show_caption_above_media', 'allow_paid_broadcast',
]);

/** Normalises one field: JSON fields parsed, integer-looking ids to numbers, 'true'/'false' to booleans. */
export function normaliseField(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (JSON_FIELDS.has(name)) {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return JSON.parse(trimmed) as unknown;
      } catch {
        return value; // the method handler reports the parse error with Telegram's wording
      }
    }
    return value;
  }
  if (INT_FIELDS.has(name) && /^-?[0-9]{1,20}$/.test(value.trim())) {
    const n = Number(value.trim());
    if (Number.isSafeInteger(n)) return n;
  }
  if (BOOL_FIELDS.has(name)) {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0' || v === '') return false;
  }
  return value;
}

function headerParam(header: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]?.trim();
}

/** Parses a complete multipart/form-data body. */
export function parseMultipart(body: Buffer, boundary: string): { fields: Record<string, string>; files: UploadedFile[] } {
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new BodyError('multipart boundary not found');
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing delimiter
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new BodyError('malformed multipart part');
    const headerLines = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), dataStart);
    if (next < 0) throw new BodyError('unterminated multipart part');
    const data = body.subarray(dataStart, next);
    const disposition = headers['content-disposition'] ?? '';
    const name = headerParam(disposition, 'name');
    if (name !== undefined) {
      let filename = headerParam(disposition, 'filename');
      // grammY writes the file name unquoted, so a name containing ';' would be cut: take the rest.
      const unquoted = /;\s*filename=(?!")(.*)$/i.exec(disposition);
      if (unquoted?.[1] !== undefined) filename = unquoted[1].trim();
      if (filename !== undefined || headers['content-type'] === 'application/octet-stream') {
        files.push({ field: name, filename, contentType: headers['content-type'], data: Buffer.from(data) });
      } else {
        fields[name] = data.toString('utf8');
      }
    }
    pos = next + 2;
  }
  return { fields, files };
}

/** Decodes query string plus body into one parameter object (body wins over the query string). */
export function decodeRequest(contentType: string | undefined, body: Buffer | undefined, search: URLSearchParams): DecodedBody {
  const params: Record<string, unknown> = {};
  let transport: DecodedBody['transport'] = 'none';
  for (const [k, v] of search) {
    params[k] = v;
    transport = 'query';
  }
  const files: UploadedFile[] = [];
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body && body.length > 0) {
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new BodyError("can't parse JSON object");
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new BodyError("can't parse JSON object");
      }
      Object.assign(params, parsed);
      transport = 'json';
    } else if (type === 'application/x-www-form-urlencoded') {
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
      transport = 'form';
    } else if (type === 'multipart/form-data') {
      const boundary = headerParam(contentType ?? '', 'boundary');
      if (!boundary) throw new BodyError('multipart boundary not found');
      const parsed = parseMultipart(body, boundary);
      Object.assign(params, parsed.fields);
      files.push(...parsed.files);
      transport = 'multipart';
    }
  }
  for (const [k, v] of Object.entries(params)) params[k] = normaliseField(k, v);
  return { transport, params, files };
}
