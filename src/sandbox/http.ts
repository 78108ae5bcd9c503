import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, ErrorMessage, HttpStatus } from '../discord/facts.js';

/** An error the sandbox answers exactly as Discord would: JSON `{ code, message }` with a status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message = ErrorMessage[code] ?? 'Error',
    readonly errors?: unknown,
  ) {
    super(message);
  }
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
}

/** The largest request body the sandbox reads: room for several charts, and a bound on memory per request. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<ParsedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(HttpStatus.PayloadTooLarge, ErrorCode.RequestEntityTooLarge);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { json: undefined, files: [] };
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) return parseMultipart(raw, type);
  try {
    return { json: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    throw new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidJson);
  }
}

/** multipart/form-data as discord.js sends it: `payload_json` plus `files[n]`. */
async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidFormBody);
  }
  let json: unknown;
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field === 'payload_json') {
        try {
          json = JSON.parse(value);
        } catch {
          throw new ApiError(HttpStatus.BadRequest, ErrorCode.InvalidJson);
        }
      }
      continue;
    }
    files.push({
      field,
      filename: value.name || field,
      contentType: value.type || 'application/octet-stream',
      data: Buffer.from(await value.arrayBuffer()),
    });
  }
  return { json, files };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  dateMs?: number,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (dateMs !== undefined) res.setHeader('date', new Date(dateMs).toUTCString());
  res.end(text);
}

/** A 204 must carry no JSON content type, or discord.js tries to parse the empty body. */
export function sendNoContent(res: ServerResponse, dateMs?: number): void {
  res.statusCode = HttpStatus.NoContent;
  if (dateMs !== undefined) res.setHeader('date', new Date(dateMs).toUTCString());
  res.end();
}

export function errorBody(error: ApiError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message, code: error.code };
  if (error.errors !== undefined) body.errors = error.errors;
  return body;
}
