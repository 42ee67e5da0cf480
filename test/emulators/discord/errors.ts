// Discord's REST error format: {"message": "...", "code": <JSON error code>, "errors": {...}}.
// Field errors form a tree keyed by field name and array index, each leaf holding
// `_errors: [{ code, message }]`, e.g. {"data":{"components":{"0":{"components":{"0":{"custom_id":
// {"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 100 or fewer in length."}]}}}}}}}.

export type FieldPath = ReadonlyArray<string | number>;

export interface FieldError {
  code: string;
  message: string;
}

export interface ErrorTree {
  [key: string]: ErrorTree | FieldError[] | undefined;
  _errors?: FieldError[];
}

export class FormErrors {
  private readonly tree: ErrorTree = {};
  private count = 0;

  add(path: FieldPath, code: string, message: string): void {
    let node: ErrorTree = this.tree;
    for (const key of path) {
      const k = String(key);
      const child = node[k];
      if (child === undefined || Array.isArray(child)) {
        const next: ErrorTree = {};
        node[k] = next;
        node = next;
      } else {
        node = child;
      }
    }
    (node._errors ??= []).push({ code, message });
    this.count += 1;
  }

  maxLength(path: FieldPath, max: number): void {
    this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }

  badLength(path: FieldPath, min: number, max: number): void {
    this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }

  required(path: FieldPath): void {
    this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
  }

  get size(): number {
    return this.count;
  }

  toTree(): ErrorTree {
    return this.tree;
  }

  /** Throws 400 / 50035 "Invalid Form Body" when any error was recorded. */
  throwIfAny(): void {
    if (this.count > 0) throw DiscordHttpError.invalidFormBody(this);
  }
}

export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: ErrorTree,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DiscordHttpError';
  }

  toBody(): Record<string, unknown> {
    return {
      message: this.message,
      code: this.code,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }

  static unauthorized(): DiscordHttpError {
    return new DiscordHttpError(401, 0, '401: Unauthorized');
  }
  static notFound(): DiscordHttpError {
    return new DiscordHttpError(404, 0, '404: Not Found');
  }
  static methodNotAllowed(): DiscordHttpError {
    return new DiscordHttpError(405, 0, '405: Method Not Allowed');
  }
  static unknownApplication(): DiscordHttpError {
    return new DiscordHttpError(404, 10002, 'Unknown Application');
  }
  static unknownChannel(): DiscordHttpError {
    return new DiscordHttpError(404, 10003, 'Unknown Channel');
  }
  static unknownGuild(): DiscordHttpError {
    return new DiscordHttpError(404, 10004, 'Unknown Guild');
  }
  static unknownMessage(): DiscordHttpError {
    return new DiscordHttpError(404, 10008, 'Unknown Message');
  }
  static unknownWebhook(): DiscordHttpError {
    return new DiscordHttpError(404, 10015, 'Unknown Webhook');
  }
  static unknownInteraction(): DiscordHttpError {
    return new DiscordHttpError(404, 10062, 'Unknown interaction');
  }
  static unknownCommand(): DiscordHttpError {
    return new DiscordHttpError(404, 10063, 'Unknown application command');
  }
  static requestTooLarge(): DiscordHttpError {
    return new DiscordHttpError(413, 40005, 'Request entity too large');
  }
  static alreadyAcknowledged(): DiscordHttpError {
    return new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.');
  }
  static missingAccess(): DiscordHttpError {
    return new DiscordHttpError(403, 50001, 'Missing Access');
  }
  static cannotEditOthersMessage(): DiscordHttpError {
    return new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user');
  }
  static cannotMessageUser(): DiscordHttpError {
    return new DiscordHttpError(403, 50007, 'Cannot send messages to this user');
  }
  static emptyMessage(): DiscordHttpError {
    return new DiscordHttpError(400, 50006, 'Cannot send an empty message');
  }
  static invalidWebhookToken(): DiscordHttpError {
    return new DiscordHttpError(401, 50027, 'Invalid Webhook Token');
  }
  static invalidJson(): DiscordHttpError {
    return new DiscordHttpError(400, 50109, 'The request body contains invalid JSON.');
  }
  static invalidFormBody(errors: FormErrors): DiscordHttpError {
    return new DiscordHttpError(400, 50035, 'Invalid Form Body', errors.toTree());
  }
  /** A single field error, e.g. `fieldError(['data', 'type'], 'BASE_TYPE_CHOICES', '...')`. */
  static fieldError(path: FieldPath, code: string, message: string): DiscordHttpError {
    const errors = new FormErrors();
    errors.add(path, code, message);
    return DiscordHttpError.invalidFormBody(errors);
  }
}
