// Payload validation with Discord's limits and its "Invalid Form Body" error tree.
// Limits: https://discord.com/developers/docs (Messages, Embeds, Components, Interactions, Commands).

import type { FieldPath, FormErrors } from './errors.js';

export const Limits = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedAuthor: 256,
  embedTotal: 6000,
  actionRows: 5,
  rowComponents: 5,
  v2Components: 40,
  v2TextTotal: 4000,
  buttonLabel: 80,
  customId: 100,
  selectOptions: 25,
  selectOptionText: 100,
  selectPlaceholder: 150,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
  modalTitle: 45,
  textInputLabel: 45,
  textInputValue: 4000,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  commandChoices: 25,
  globalChatCommands: 100,
  contextMenuCommands: 5,
} as const;

export const MessageFlag = {
  Crossposted: 1 << 0,
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  IsVoiceMessage: 1 << 13,
  IsComponentsV2: 1 << 15,
} as const;

export const ComponentType = {
  ActionRow: 1,
  Button: 2,
  StringSelect: 3,
  TextInput: 4,
  UserSelect: 5,
  RoleSelect: 6,
  MentionableSelect: 7,
  ChannelSelect: 8,
  Section: 9,
  TextDisplay: 10,
  Thumbnail: 11,
  MediaGallery: 12,
  File: 13,
  Separator: 14,
  Container: 17,
  Label: 18,
} as const;

const SELECT_TYPES: ReadonlySet<number> = new Set([3, 5, 6, 7, 8]);
const V2_TOP_LEVEL = [1, 9, 10, 12, 13, 14, 17];
const CONTAINER_CHILDREN = [1, 9, 10, 12, 13, 14];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object elements of a list (anything else is skipped). */
export function records(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  const out: Record<string, unknown>[] = [];
  for (const v of value as unknown[]) if (isRecord(v)) out.push(v);
  return out;
}

/** Discord counts string length in UTF-16 code units like JavaScript does, so `.length` matches. */
function checkString(
  errors: FormErrors,
  path: FieldPath,
  value: unknown,
  opts: { max: number; min?: number; required?: boolean },
): string | undefined {
  if (value === undefined || value === null) {
    if (opts.required) errors.required(path);
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', `Could not interpret "${String(value)}" as string.`);
    return undefined;
  }
  const min = opts.min ?? 0;
  if (value.length > opts.max || value.length < min) {
    if (min > 0) errors.badLength(path, min, opts.max);
    else errors.maxLength(path, opts.max);
  }
  return value;
}

function checkInt(errors: FormErrors, path: FieldPath, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.add(path, 'NUMBER_TYPE_COERCE', `Value "${String(value)}" is not int.`);
    return undefined;
  }
  if (value < min) errors.add(path, 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${min}.`);
  if (value > max) errors.add(path, 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${max}.`);
  return value;
}

function checkUrl(errors: FormErrors, path: FieldPath, value: unknown, allowAttachment: boolean): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') {
    errors.add(path, 'BASE_TYPE_STRING', `Could not interpret "${String(value)}" as string.`);
    return;
  }
  let scheme: string;
  try {
    scheme = new URL(value).protocol.replace(/:$/, '');
  } catch {
    errors.add(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    return;
  }
  const allowed = allowAttachment ? ['http', 'https', 'attachment'] : ['http', 'https'];
  if (!allowed.includes(scheme)) {
    errors.add(
      path,
      'URL_TYPE_INVALID_SCHEME',
      `Scheme "${scheme}" is not supported. Scheme must be one of (${allowed.map((s) => `'${s}'`).join(', ')}).`,
    );
  }
}

function checkArray(errors: FormErrors, path: FieldPath, value: unknown): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    errors.add(path, 'BASE_TYPE_ARRAY', `Could not interpret "${JSON.stringify(value)}" as list.`);
    return undefined;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Embeds

/** Characters that count towards the 6000 limit: title, description, field names and values,
 *  footer text and author name. */
export function embedSize(embed: Record<string, unknown>): number {
  const len = (v: unknown): number => (typeof v === 'string' ? v.length : 0);
  let total = len(embed.title) + len(embed.description);
  if (isRecord(embed.footer)) total += len(embed.footer.text);
  if (isRecord(embed.author)) total += len(embed.author.name);
  if (Array.isArray(embed.fields)) {
    for (const field of embed.fields) if (isRecord(field)) total += len(field.name) + len(field.value);
  }
  return total;
}

function validateEmbed(errors: FormErrors, path: FieldPath, embed: unknown): void {
  if (!isRecord(embed)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  checkString(errors, [...path, 'title'], embed.title, { max: Limits.embedTitle });
  checkString(errors, [...path, 'description'], embed.description, { max: Limits.embedDescription });
  checkUrl(errors, [...path, 'url'], embed.url, false);
  if (embed.timestamp !== undefined && embed.timestamp !== null) {
    if (typeof embed.timestamp !== 'string' || Number.isNaN(Date.parse(embed.timestamp))) {
      errors.add([...path, 'timestamp'], 'DATE_TIME_TYPE_PARSE', `Could not parse ${String(embed.timestamp)}. Should be ISO8601.`);
    }
  }
  checkInt(errors, [...path, 'color'], embed.color, 0, 0xffffff);
  if (embed.footer !== undefined && embed.footer !== null) {
    if (!isRecord(embed.footer)) errors.add([...path, 'footer'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    else {
      checkString(errors, [...path, 'footer', 'text'], embed.footer.text, { max: Limits.embedFooter, required: true });
      checkUrl(errors, [...path, 'footer', 'icon_url'], embed.footer.icon_url, true);
    }
  }
  if (embed.author !== undefined && embed.author !== null) {
    if (!isRecord(embed.author)) errors.add([...path, 'author'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    else {
      checkString(errors, [...path, 'author', 'name'], embed.author.name, { max: Limits.embedAuthor, required: true });
      checkUrl(errors, [...path, 'author', 'url'], embed.author.url, false);
      checkUrl(errors, [...path, 'author', 'icon_url'], embed.author.icon_url, true);
    }
  }
  for (const key of ['image', 'thumbnail'] as const) {
    const media = embed[key];
    if (media === undefined || media === null) continue;
    if (!isRecord(media)) errors.add([...path, key], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    else if (media.url === undefined || media.url === null) errors.required([...path, key, 'url']);
    else checkUrl(errors, [...path, key, 'url'], media.url, true);
  }
  const fields = checkArray(errors, [...path, 'fields'], embed.fields);
  if (fields) {
    if (fields.length > Limits.embedFields) errors.maxLength([...path, 'fields'], Limits.embedFields);
    fields.forEach((field, i) => {
      const fp = [...path, 'fields', i];
      if (!isRecord(field)) {
        errors.add(fp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
        return;
      }
      // An empty name or value is "required" in Discord's answer, a long one "N or fewer".
      if (field.name === '') errors.required([...fp, 'name']);
      else checkString(errors, [...fp, 'name'], field.name, { max: Limits.embedFieldName, required: true });
      if (field.value === '') errors.required([...fp, 'value']);
      else checkString(errors, [...fp, 'value'], field.value, { max: Limits.embedFieldValue, required: true });
    });
  }
}

export function validateEmbeds(errors: FormErrors, path: FieldPath, value: unknown): void {
  const embeds = checkArray(errors, path, value);
  if (!embeds) return;
  if (embeds.length > Limits.embeds) {
    errors.maxLength(path, Limits.embeds);
    return;
  }
  embeds.forEach((embed, i) => validateEmbed(errors, [...path, i], embed));
  const total = embeds.reduce<number>((sum, e) => sum + (isRecord(e) ? embedSize(e) : 0), 0);
  if (total > Limits.embedTotal) {
    errors.add(path, 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${Limits.embedTotal}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Components

interface ComponentContext {
  errors: FormErrors;
  customIds: Map<string, FieldPath>;
  count: number;
  textTotal: number;
}

function checkCustomId(ctx: ComponentContext, path: FieldPath, value: unknown): void {
  const id = checkString(ctx.errors, path, value, { min: 1, max: Limits.customId, required: true });
  if (id === undefined || id.length === 0 || id.length > Limits.customId) return;
  if (ctx.customIds.has(id)) {
    ctx.errors.add(path, 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id was already specified');
  } else {
    ctx.customIds.set(id, path);
  }
}

function typeChoicesError(errors: FormErrors, path: FieldPath, allowed: number[]): void {
  errors.add(
    path,
    'UNION_TYPE_CHOICES',
    `Value of field "type" must be one of (${allowed.join(', ')}${allowed.length === 1 ? ',' : ''}).`,
  );
}

function validateButton(ctx: ComponentContext, path: FieldPath, c: Record<string, unknown>): void {
  const { errors } = ctx;
  const style = checkInt(errors, [...path, 'style'], c.style, 1, 6);
  if (c.style === undefined) errors.required([...path, 'style']);
  checkString(errors, [...path, 'label'], c.label, { max: Limits.buttonLabel });
  if (style === 5) {
    if (c.url === undefined) errors.required([...path, 'url']);
    else checkUrl(errors, [...path, 'url'], c.url, false);
    if (c.custom_id !== undefined) {
      errors.add([...path, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED', 'A custom id cannot be specified for link buttons');
    }
  } else if (style === 6) {
    if (c.sku_id === undefined) errors.required([...path, 'sku_id']);
  } else if (style !== undefined) {
    checkCustomId(ctx, [...path, 'custom_id'], c.custom_id);
    if (c.url !== undefined) {
      errors.add([...path, 'url'], 'BUTTON_COMPONENT_URL_NOT_ALLOWED', 'A URL can only be specified for link buttons');
    }
    if ((c.label === undefined || c.label === '') && c.emoji === undefined) {
      errors.add([...path, 'label'], 'BUTTON_COMPONENT_LABEL_REQUIRED', 'A label or emoji is required');
    }
  }
}

function validateSelect(ctx: ComponentContext, path: FieldPath, c: Record<string, unknown>, type: number): void {
  const { errors } = ctx;
  checkCustomId(ctx, [...path, 'custom_id'], c.custom_id);
  checkString(errors, [...path, 'placeholder'], c.placeholder, { max: Limits.selectPlaceholder });
  const min = checkInt(errors, [...path, 'min_values'], c.min_values, 0, 25);
  const max = checkInt(errors, [...path, 'max_values'], c.max_values, 1, 25);
  if (min !== undefined && max !== undefined && min > max) {
    errors.add([...path, 'min_values'], 'SELECT_COMPONENT_MIN_VALUES_INVALID', 'min_values must be less than or equal to max_values');
  }
  if (type !== ComponentType.StringSelect) return;
  const options = checkArray(errors, [...path, 'options'], c.options);
  if (!options) {
    errors.required([...path, 'options']);
    return;
  }
  if (options.length < 1 || options.length > Limits.selectOptions) {
    errors.badLength([...path, 'options'], 1, Limits.selectOptions);
  }
  const values = new Set<string>();
  options.forEach((o, i) => {
    const op = [...path, 'options', i];
    if (!isRecord(o)) {
      errors.add(op, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    checkString(errors, [...op, 'label'], o.label, { min: 1, max: Limits.selectOptionText, required: true });
    const value = checkString(errors, [...op, 'value'], o.value, { min: 1, max: Limits.selectOptionText, required: true });
    checkString(errors, [...op, 'description'], o.description, { max: Limits.selectOptionText });
    if (value !== undefined) {
      if (values.has(value)) {
        errors.add([...op, 'value'], 'SELECT_COMPONENT_OPTION_VALUE_DUPLICATED', 'The specified option value is already used');
      }
      values.add(value);
    }
  });
  if (max !== undefined && max > options.length) {
    errors.add([...path, 'max_values'], 'SELECT_COMPONENT_MAX_VALUES_TOO_LARGE', `Must be less than or equal to the number of options (${options.length}).`);
  }
}

function validateActionRow(ctx: ComponentContext, path: FieldPath, row: Record<string, unknown>, modal: boolean): void {
  const { errors } = ctx;
  const children = checkArray(errors, [...path, 'components'], row.components);
  if (!children) {
    errors.required([...path, 'components']);
    return;
  }
  if (children.length < 1 || children.length > Limits.rowComponents) {
    errors.badLength([...path, 'components'], 1, Limits.rowComponents);
  }
  const allowed = modal ? [ComponentType.TextInput] : [2, 3, 5, 6, 7, 8];
  let fullWidth = false;
  children.forEach((child, i) => {
    const cp = [...path, 'components', i];
    if (!isRecord(child)) {
      errors.add(cp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    ctx.count += 1;
    const type = child.type;
    if (typeof type !== 'number' || !allowed.includes(type)) {
      typeChoicesError(errors, [...cp, 'type'], allowed);
      return;
    }
    if (SELECT_TYPES.has(type) || type === ComponentType.TextInput) fullWidth = true;
    if (type === ComponentType.Button) validateButton(ctx, cp, child);
    else if (type === ComponentType.TextInput) validateTextInput(ctx, cp, child, true);
    else validateSelect(ctx, cp, child, type);
  });
  if (fullWidth && children.length > 1) {
    errors.add([...path, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
  }
}

function validateTextInput(ctx: ComponentContext, path: FieldPath, c: Record<string, unknown>, labelled: boolean): void {
  const { errors } = ctx;
  checkCustomId(ctx, [...path, 'custom_id'], c.custom_id);
  if (c.style === undefined) errors.required([...path, 'style']);
  else checkInt(errors, [...path, 'style'], c.style, 1, 2);
  if (labelled) checkString(errors, [...path, 'label'], c.label, { min: 1, max: Limits.textInputLabel, required: true });
  checkInt(errors, [...path, 'min_length'], c.min_length, 0, Limits.textInputValue);
  checkInt(errors, [...path, 'max_length'], c.max_length, 1, Limits.textInputValue);
  checkString(errors, [...path, 'value'], c.value, { max: Limits.textInputValue });
  checkString(errors, [...path, 'placeholder'], c.placeholder, { max: 100 });
}

function validateV2Component(ctx: ComponentContext, path: FieldPath, c: unknown, allowed: number[]): void {
  const { errors } = ctx;
  if (!isRecord(c)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const type = c.type;
  if (typeof type !== 'number' || !allowed.includes(type)) {
    typeChoicesError(errors, [...path, 'type'], allowed);
    return;
  }
  ctx.count += 1;
  switch (type) {
    case ComponentType.ActionRow:
      validateActionRow(ctx, path, c, false);
      break;
    case ComponentType.TextDisplay: {
      const content = checkString(errors, [...path, 'content'], c.content, { min: 1, max: Limits.v2TextTotal, required: true });
      ctx.textTotal += content?.length ?? 0;
      break;
    }
    case ComponentType.Section: {
      const children = checkArray(errors, [...path, 'components'], c.components);
      if (!children || children.length < 1 || children.length > 3) errors.badLength([...path, 'components'], 1, 3);
      children?.forEach((child, i) => validateV2Component(ctx, [...path, 'components', i], child, [ComponentType.TextDisplay]));
      if (!isRecord(c.accessory)) errors.required([...path, 'accessory']);
      else if (c.accessory.type === ComponentType.Button) {
        ctx.count += 1;
        validateButton(ctx, [...path, 'accessory'], c.accessory);
      } else if (c.accessory.type === ComponentType.Thumbnail) ctx.count += 1;
      else typeChoicesError(errors, [...path, 'accessory', 'type'], [2, 11]);
      break;
    }
    case ComponentType.Container: {
      const children = checkArray(errors, [...path, 'components'], c.components);
      if (!children) errors.required([...path, 'components']);
      children?.forEach((child, i) => validateV2Component(ctx, [...path, 'components', i], child, CONTAINER_CHILDREN));
      checkInt(errors, [...path, 'accent_color'], c.accent_color, 0, 0xffffff);
      break;
    }
    case ComponentType.MediaGallery: {
      const items = checkArray(errors, [...path, 'items'], c.items);
      if (!items || items.length < 1 || items.length > 10) errors.badLength([...path, 'items'], 1, 10);
      break;
    }
    case ComponentType.File:
      if (!isRecord(c.file)) errors.required([...path, 'file']);
      break;
    default:
      break;
  }
}

/** Validates message components (action rows, or Components V2 when the IS_COMPONENTS_V2 flag is set). */
export function validateMessageComponents(errors: FormErrors, path: FieldPath, value: unknown, flags: number): void {
  const components = checkArray(errors, path, value);
  if (!components) return;
  const ctx: ComponentContext = { errors, customIds: new Map(), count: 0, textTotal: 0 };
  if ((flags & MessageFlag.IsComponentsV2) !== 0) {
    components.forEach((c, i) => validateV2Component(ctx, [...path, i], c, V2_TOP_LEVEL));
    if (ctx.count > Limits.v2Components) errors.maxLength(path, Limits.v2Components);
    if (ctx.textTotal > Limits.v2TextTotal) {
      errors.add(path, 'COMPONENTS_TEXT_DISPLAY_TOTAL_EXCEEDED', `Total text display content must be ${Limits.v2TextTotal} or fewer in length.`);
    }
    return;
  }
  if (components.length > Limits.actionRows) errors.maxLength(path, Limits.actionRows);
  components.forEach((row, i) => {
    const rp = [...path, i];
    if (!isRecord(row)) {
      errors.add(rp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    if (row.type !== ComponentType.ActionRow) {
      typeChoicesError(errors, [...rp, 'type'], [ComponentType.ActionRow]);
      return;
    }
    validateActionRow(ctx, rp, row, false);
  });
}

// ---------------------------------------------------------------------------------------------
// Message bodies

export interface MessageBodyOptions {
  /** Ephemeral (64) is only meaningful on interaction responses and follow-ups. */
  interaction: boolean;
  /** Flags the message will have after the operation (for IS_COMPONENTS_V2 checks). */
  effectiveFlags: number;
}

/** Validates the fields of a message create/edit body. Emptiness is checked by the caller on the
 *  resulting message, because an edit may leave other fields as they were. */
export function validateMessageBody(errors: FormErrors, path: FieldPath, body: Record<string, unknown>, opts: MessageBodyOptions): void {
  const v2 = (opts.effectiveFlags & MessageFlag.IsComponentsV2) !== 0;
  if (body.content !== undefined && body.content !== null) {
    checkString(errors, [...path, 'content'], body.content, { max: Limits.content });
    if (v2 && body.content !== '') {
      errors.add([...path, 'content'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'content\' field cannot be used when using MessageFlags.IS_COMPONENTS_V2');
    }
  }
  if (body.embeds !== undefined && body.embeds !== null) {
    validateEmbeds(errors, [...path, 'embeds'], body.embeds);
    if (v2 && Array.isArray(body.embeds) && body.embeds.length > 0) {
      errors.add([...path, 'embeds'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'embeds\' field cannot be used when using MessageFlags.IS_COMPONENTS_V2');
    }
  }
  if (body.components !== undefined && body.components !== null) {
    validateMessageComponents(errors, [...path, 'components'], body.components, opts.effectiveFlags);
  }
  if (body.flags !== undefined && body.flags !== null) {
    checkInt(errors, [...path, 'flags'], body.flags, 0, 2 ** 31 - 1);
  }
  if (body.tts !== undefined && typeof body.tts !== 'boolean') {
    errors.add([...path, 'tts'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
  }
  const attachments = checkArray(errors, [...path, 'attachments'], body.attachments);
  attachments?.forEach((a, i) => {
    if (!isRecord(a) || (typeof a.id !== 'string' && typeof a.id !== 'number')) errors.required([...path, 'attachments', i, 'id']);
    else checkString(errors, [...path, 'attachments', i, 'description'], a.description, { max: 1024 });
  });
}

// ---------------------------------------------------------------------------------------------
// Interaction callback data

export function validateAutocompleteData(errors: FormErrors, path: FieldPath, data: unknown): void {
  if (!isRecord(data)) {
    errors.required([...path]);
    return;
  }
  const choices = checkArray(errors, [...path, 'choices'], data.choices);
  if (!choices) {
    errors.required([...path, 'choices']);
    return;
  }
  if (choices.length > Limits.autocompleteChoices) errors.maxLength([...path, 'choices'], Limits.autocompleteChoices);
  choices.forEach((choice, i) => validateChoice(errors, [...path, 'choices', i], choice));
}

function validateChoice(errors: FormErrors, path: FieldPath, choice: unknown): void {
  if (!isRecord(choice)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  checkString(errors, [...path, 'name'], choice.name, { min: 1, max: Limits.choiceName, required: true });
  if (typeof choice.value === 'string') {
    checkString(errors, [...path, 'value'], choice.value, { min: 1, max: Limits.choiceValue });
  } else if (typeof choice.value !== 'number') {
    errors.required([...path, 'value']);
  }
}

export function validateModalData(errors: FormErrors, path: FieldPath, data: unknown): void {
  if (!isRecord(data)) {
    errors.required([...path]);
    return;
  }
  const ctx: ComponentContext = { errors, customIds: new Map(), count: 0, textTotal: 0 };
  checkString(errors, [...path, 'custom_id'], data.custom_id, { min: 1, max: Limits.customId, required: true });
  checkString(errors, [...path, 'title'], data.title, { min: 1, max: Limits.modalTitle, required: true });
  const rows = checkArray(errors, [...path, 'components'], data.components);
  if (!rows || rows.length < 1 || rows.length > 5) {
    errors.badLength([...path, 'components'], 1, 5);
    return;
  }
  rows.forEach((row, i) => {
    const rp = [...path, 'components', i];
    if (!isRecord(row)) {
      errors.add(rp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    if (row.type === ComponentType.ActionRow) validateActionRow(ctx, rp, row, true);
    else if (row.type === ComponentType.Label) {
      checkString(errors, [...rp, 'label'], row.label, { min: 1, max: Limits.textInputLabel, required: true });
      if (!isRecord(row.component)) errors.required([...rp, 'component']);
      else if (row.component.type === ComponentType.TextInput) validateTextInput(ctx, [...rp, 'component'], row.component, false);
      else if (typeof row.component.type === 'number' && SELECT_TYPES.has(row.component.type)) {
        validateSelect(ctx, [...rp, 'component'], row.component, row.component.type);
      } else typeChoicesError(errors, [...rp, 'component', 'type'], [3, 4, 5, 6, 7, 8]);
    } else if (row.type === ComponentType.TextDisplay) {
      checkString(errors, [...rp, 'content'], row.content, { min: 1, max: Limits.v2TextTotal, required: true });
    } else typeChoicesError(errors, [...rp, 'type'], [1, 10, 18]);
  });
}

// ---------------------------------------------------------------------------------------------
// Application commands

export const CommandOptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

const NAME_RE = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkCommandName(errors: FormErrors, path: FieldPath, name: unknown, chatInput: boolean): void {
  const value = checkString(errors, path, name, { min: 1, max: Limits.commandName, required: true });
  if (value === undefined) return;
  if (chatInput && (!NAME_RE.test(value) || value.toLowerCase() !== value)) {
    errors.add(path, 'APPLICATION_COMMAND_INVALID_NAME', `Command name is invalid`);
  }
}

function validateOptions(errors: FormErrors, path: FieldPath, value: unknown, level: 'command' | 'group' | 'subcommand'): void {
  const options = checkArray(errors, path, value);
  if (!options) return;
  if (options.length > Limits.commandOptions) errors.maxLength(path, Limits.commandOptions);
  const names = new Set<string>();
  let sawOptional = false;
  let sawSub = false;
  let sawValue = false;
  options.forEach((o, i) => {
    const op = [...path, i];
    if (!isRecord(o)) {
      errors.add(op, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const type = checkInt(errors, [...op, 'type'], o.type, 1, 11);
    if (o.type === undefined) errors.required([...op, 'type']);
    checkCommandName(errors, [...op, 'name'], o.name, true);
    checkString(errors, [...op, 'description'], o.description, { min: 1, max: Limits.commandDescription, required: true });
    if (typeof o.name === 'string') {
      if (names.has(o.name)) {
        errors.add([...op, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', `Option name ${o.name} is already used in these options`);
      }
      names.add(o.name);
    }
    if (type === undefined) return;
    const isSub = type === CommandOptionType.Subcommand || type === CommandOptionType.SubcommandGroup;
    if (isSub) sawSub = true;
    else sawValue = true;
    if (level === 'subcommand' && isSub) typeChoicesError(errors, [...op, 'type'], [3, 4, 5, 6, 7, 8, 9, 10, 11]);
    if (level === 'group' && type !== CommandOptionType.Subcommand) typeChoicesError(errors, [...op, 'type'], [1]);
    if (type === CommandOptionType.SubcommandGroup) validateOptions(errors, [...op, 'options'], o.options, 'group');
    else if (type === CommandOptionType.Subcommand) validateOptions(errors, [...op, 'options'], o.options, 'subcommand');
    else {
      if (o.required === true && sawOptional) {
        errors.add([...op, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
      }
      if (o.required !== true) sawOptional = true;
      const choices = checkArray(errors, [...op, 'choices'], o.choices);
      if (choices) {
        if (choices.length > Limits.commandChoices) errors.maxLength([...op, 'choices'], Limits.commandChoices);
        choices.forEach((c, j) => validateChoice(errors, [...op, 'choices', j], c));
        if (o.autocomplete === true && choices.length > 0) {
          errors.add([...op, 'autocomplete'], 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID', 'Autocomplete cannot be enabled on options that have choices');
        }
      }
      if (type === CommandOptionType.String) {
        checkInt(errors, [...op, 'min_length'], o.min_length, 0, 6000);
        checkInt(errors, [...op, 'max_length'], o.max_length, 1, 6000);
      }
    }
  });
  if (sawSub && sawValue) {
    errors.add(path, 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
  }
}

/** Validates one application command create/overwrite body. */
export function validateCommand(errors: FormErrors, path: FieldPath, cmd: unknown): void {
  if (!isRecord(cmd)) {
    errors.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const type = cmd.type === undefined ? 1 : checkInt(errors, [...path, 'type'], cmd.type, 1, 4);
  checkCommandName(errors, [...path, 'name'], cmd.name, type === 1);
  if (type === 1) {
    checkString(errors, [...path, 'description'], cmd.description, { min: 1, max: Limits.commandDescription, required: true });
    validateOptions(errors, [...path, 'options'], cmd.options, 'command');
  } else if (typeof cmd.description === 'string' && cmd.description !== '') {
    errors.add([...path, 'description'], 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION_INVALID', 'Context menu commands cannot have description');
  }
}

/** Validates a bulk overwrite list (names unique per type, per-type counts). */
export function validateCommandList(errors: FormErrors, list: unknown[]): void {
  const seen = new Map<string, number>();
  const counts = new Map<number, number>();
  list.forEach((cmd, i) => {
    validateCommand(errors, [i], cmd);
    if (!isRecord(cmd)) return;
    const type = typeof cmd.type === 'number' ? cmd.type : 1;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    const key = `${type}:${String(cmd.name)}`;
    if (seen.has(key)) errors.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    seen.set(key, i);
  });
  if ((counts.get(1) ?? 0) > Limits.globalChatCommands) errors.maxLength([], Limits.globalChatCommands);
  for (const t of [2, 3]) {
    if ((counts.get(t) ?? 0) > Limits.contextMenuCommands) {
      errors.add([], 'APPLICATION_COMMAND_TOO_MANY', `Maximum number of ${t === 2 ? 'user' : 'message'} commands reached (${Limits.contextMenuCommands}).`);
    }
  }
}
