/**
 * Block Kit limits as Slack's Web API enforces them. Pure functions: they take the parsed
 * blocks/view and return every problem found, each with the JSON pointer Slack would name in
 * `response_metadata.messages` (`[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`).
 *
 * The limits are the documented ones (docs.slack.dev, "Block Kit" reference). Slack checks more
 * than this (every field of every element); we check what apps get wrong in practice: counts,
 * lengths, required fields and types.
 */

export type BlockSurface = 'message' | 'modal' | 'home';

export interface BlockKitProblem {
  /** JSON pointer into the request, e.g. `/blocks/3/text/text` or `/view/title/text`. */
  pointer: string;
  message: string;
}

export const BLOCK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  sectionText: 3_000,
  sectionFields: 10,
  sectionFieldText: 2_000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2_000,
  url: 3_000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  contextElements: 10,
  inputLabel: 2_000,
  inputHint: 2_000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  overflowOptions: 5,
  textInputLength: 3_000,
  imageAltText: 2_000,
  markdownText: 12_000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3_000,
  callbackId: 255,
  externalId: 255,
} as const;

const BLOCK_TYPES: Record<string, readonly BlockSurface[]> = {
  actions: ['message', 'modal', 'home'],
  context: ['message', 'modal', 'home'],
  context_actions: ['message'],
  divider: ['message', 'modal', 'home'],
  file: ['message'],
  header: ['message', 'modal', 'home'],
  image: ['message', 'modal', 'home'],
  input: ['message', 'modal', 'home'],
  markdown: ['message'],
  rich_text: ['message', 'modal', 'home'],
  section: ['message', 'modal', 'home'],
  table: ['message'],
  video: ['message', 'modal', 'home'],
};

const INTERACTIVE_ELEMENTS = new Set([
  'button',
  'checkboxes',
  'channels_select',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'file_input',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'number_input',
  'overflow',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
  'workflow_button',
]);

/** Where each element type may appear, beyond "anywhere an interactive element may". */
const CONTEXT_ELEMENTS = new Set(['image', 'mrkdwn', 'plain_text']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class ProblemList {
  readonly items: BlockKitProblem[] = [];
  add(pointer: string, message: string): void {
    this.items.push({ pointer, message });
  }
  /** Slack says "must be less than N+1 characters" for a limit of N. */
  maxLength(value: unknown, limit: number, pointer: string): void {
    if (typeof value === 'string' && value.length > limit) {
      this.add(pointer, `must be less than ${limit + 1} characters`);
    }
  }
  maxItems(value: unknown, limit: number, pointer: string): void {
    if (Array.isArray(value) && value.length > limit) {
      this.add(pointer, `no more than ${limit} items allowed`);
    }
  }
}

/** A text composition object: `{ type: 'plain_text' | 'mrkdwn', text }`. */
function checkText(
  value: unknown,
  pointer: string,
  problems: ProblemList,
  limit: number,
  plainOnly: boolean,
): void {
  if (!isObject(value)) {
    problems.add(pointer, 'must be a text object');
    return;
  }
  const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (typeof value.type !== 'string' || !allowed.includes(value.type)) {
    problems.add(`${pointer}/type`, `must be one of: ${allowed.join(', ')}`);
  }
  if (typeof value.text !== 'string') {
    problems.add(pointer, 'missing required field: text');
    return;
  }
  if (value.text.length === 0) problems.add(`${pointer}/text`, 'must be more than 0 characters');
  problems.maxLength(value.text, limit, `${pointer}/text`);
  if (!isWellFormed(value.text)) problems.add(`${pointer}/text`, 'must be valid UTF-8');
}

/**
 * Whether text can be sent as UTF-8 at all: half of a surrogate pair (what cutting a string in
 * the middle of an emoji leaves) cannot. Slack: "all messages must use UTF-8 encoding"
 * (docs.slack.dev, "Formatting text"); how Slack words the refusal is our guess.
 */
function isWellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

function checkOptions(options: unknown, pointer: string, problems: ProblemList, limit: number): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    problems.add(pointer, 'must be an array');
    return;
  }
  problems.maxItems(options, limit, pointer);
  options.forEach((option, i) => {
    const p = `${pointer}/${i}`;
    if (!isObject(option)) {
      problems.add(p, 'must be an option object');
      return;
    }
    checkText(option.text, `${p}/text`, problems, BLOCK_LIMITS.optionText, false);
    if (typeof option.value !== 'string') problems.add(p, 'missing required field: value');
    problems.maxLength(option.value, BLOCK_LIMITS.optionValue, `${p}/value`);
  });
}

function checkElement(element: unknown, pointer: string, problems: ProblemList, inContext: boolean): void {
  if (!isObject(element)) {
    problems.add(pointer, 'must be an element object');
    return;
  }
  const type = element.type;
  if (typeof type !== 'string') {
    problems.add(pointer, 'missing required field: type');
    return;
  }
  if (inContext) {
    if (!CONTEXT_ELEMENTS.has(type)) problems.add(`${pointer}/type`, `unsupported element type: ${type}`);
  } else if (!INTERACTIVE_ELEMENTS.has(type) && type !== 'image') {
    problems.add(`${pointer}/type`, `unsupported element type: ${type}`);
  }
  if (type === 'plain_text' || type === 'mrkdwn') {
    checkText(element, pointer, problems, BLOCK_LIMITS.sectionText, false);
    return;
  }
  if (type === 'image') {
    if (typeof element.image_url !== 'string' && !isObject(element.slack_file)) {
      problems.add(pointer, 'missing required field: image_url');
    }
    if (typeof element.alt_text !== 'string') problems.add(pointer, 'missing required field: alt_text');
    problems.maxLength(element.alt_text, BLOCK_LIMITS.imageAltText, `${pointer}/alt_text`);
    problems.maxLength(element.image_url, BLOCK_LIMITS.url, `${pointer}/image_url`);
    return;
  }
  problems.maxLength(element.action_id, BLOCK_LIMITS.actionId, `${pointer}/action_id`);
  if (element.placeholder !== undefined) {
    checkText(element.placeholder, `${pointer}/placeholder`, problems, BLOCK_LIMITS.placeholder, true);
  }
  switch (type) {
    case 'button':
      checkText(element.text, `${pointer}/text`, problems, BLOCK_LIMITS.buttonText, true);
      problems.maxLength(element.value, BLOCK_LIMITS.buttonValue, `${pointer}/value`);
      problems.maxLength(element.url, BLOCK_LIMITS.url, `${pointer}/url`);
      if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
        problems.add(`${pointer}/style`, 'must be one of: primary, danger');
      }
      break;
    case 'static_select':
    case 'multi_static_select':
      if (element.options === undefined && element.option_groups === undefined) {
        problems.add(pointer, 'must provide either options or option_groups');
      }
      checkOptions(element.options, `${pointer}/options`, problems, BLOCK_LIMITS.selectOptions);
      break;
    case 'overflow':
      checkOptions(element.options, `${pointer}/options`, problems, BLOCK_LIMITS.overflowOptions);
      if (Array.isArray(element.options) && element.options.length < 2) {
        problems.add(`${pointer}/options`, 'must provide at least 2 items');
      }
      break;
    case 'checkboxes':
    case 'radio_buttons':
      checkOptions(element.options, `${pointer}/options`, problems, 10);
      break;
    case 'plain_text_input':
      for (const field of ['min_length', 'max_length'] as const) {
        const value = element[field];
        if (value !== undefined && (typeof value !== 'number' || value > BLOCK_LIMITS.textInputLength)) {
          problems.add(`${pointer}/${field}`, `must be less than ${BLOCK_LIMITS.textInputLength + 1}`);
        }
      }
      break;
    default:
      break;
  }
}

function checkBlock(
  block: unknown,
  pointer: string,
  surface: BlockSurface,
  problems: ProblemList,
  blockIds: Set<string>,
): void {
  if (!isObject(block)) {
    problems.add(pointer, 'must be a block object');
    return;
  }
  const type = block.type;
  if (typeof type !== 'string') {
    problems.add(pointer, 'missing required field: type');
    return;
  }
  const surfaces = BLOCK_TYPES[type];
  if (surfaces === undefined) {
    problems.add(`${pointer}/type`, `unsupported block type: ${type}`);
    return;
  }
  if (!surfaces.includes(surface)) {
    problems.add(`${pointer}/type`, `block type ${type} is not allowed in a ${surface}`);
  }
  if (block.block_id !== undefined) {
    if (typeof block.block_id !== 'string') {
      problems.add(`${pointer}/block_id`, 'must be a string');
    } else {
      problems.maxLength(block.block_id, BLOCK_LIMITS.blockId, `${pointer}/block_id`);
      if (blockIds.has(block.block_id)) problems.add(`${pointer}/block_id`, 'duplicate block_id');
      blockIds.add(block.block_id);
    }
  }
  switch (type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) {
        problems.add(pointer, 'must define either `text` or `fields`');
      }
      if (block.text !== undefined) {
        checkText(block.text, `${pointer}/text`, problems, BLOCK_LIMITS.sectionText, false);
      }
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) {
          problems.add(`${pointer}/fields`, 'must be an array');
        } else {
          problems.maxItems(block.fields, BLOCK_LIMITS.sectionFields, `${pointer}/fields`);
          block.fields.forEach((field, i) => {
            checkText(field, `${pointer}/fields/${i}`, problems, BLOCK_LIMITS.sectionFieldText, false);
          });
        }
      }
      if (block.accessory !== undefined)
        checkElement(block.accessory, `${pointer}/accessory`, problems, false);
      break;
    case 'header':
      checkText(block.text, `${pointer}/text`, problems, BLOCK_LIMITS.headerText, true);
      break;
    case 'actions':
    case 'context': {
      const limit = type === 'actions' ? BLOCK_LIMITS.actionsElements : BLOCK_LIMITS.contextElements;
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        problems.add(pointer, 'missing required field: elements');
        break;
      }
      problems.maxItems(block.elements, limit, `${pointer}/elements`);
      block.elements.forEach((element, i) => {
        checkElement(element, `${pointer}/elements/${i}`, problems, type === 'context');
      });
      break;
    }
    case 'input':
      checkText(block.label, `${pointer}/label`, problems, BLOCK_LIMITS.inputLabel, true);
      if (block.hint !== undefined) {
        checkText(block.hint, `${pointer}/hint`, problems, BLOCK_LIMITS.inputHint, true);
      }
      if (block.element === undefined) problems.add(pointer, 'missing required field: element');
      else checkElement(block.element, `${pointer}/element`, problems, false);
      break;
    case 'image':
      checkElement({ ...block, type: 'image' }, pointer, problems, true);
      if (block.title !== undefined) {
        checkText(block.title, `${pointer}/title`, problems, BLOCK_LIMITS.imageAltText, true);
      }
      break;
    case 'markdown':
      if (typeof block.text !== 'string') problems.add(pointer, 'missing required field: text');
      problems.maxLength(block.text, BLOCK_LIMITS.markdownText, `${pointer}/text`);
      break;
    case 'rich_text':
      if (!Array.isArray(block.elements)) problems.add(pointer, 'missing required field: elements');
      break;
    default:
      break;
  }
}

/**
 * Checks a `blocks` array for a surface: a message (at most 50 blocks) or a modal/home view (at
 * most 100). Pointers start at `/blocks` for messages and `/view/blocks` for views, as Slack's do.
 */
export function checkBlocks(blocks: unknown, surface: BlockSurface): BlockKitProblem[] {
  const base = surface === 'message' ? '/blocks' : '/view/blocks';
  const problems = new ProblemList();
  if (!Array.isArray(blocks)) {
    problems.add(base, 'must be an array');
    return problems.items;
  }
  const limit = surface === 'message' ? BLOCK_LIMITS.messageBlocks : BLOCK_LIMITS.viewBlocks;
  problems.maxItems(blocks, limit, base);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    checkBlock(block, `${base}/${i}`, surface, problems, blockIds);
  });
  return problems.items;
}

/**
 * Checks a view object for `views.open`/`push`/`update` (`modal`) or `views.publish` (`home`):
 * its type, title/submit/close lengths, metadata lengths and its blocks.
 */
export function checkView(view: unknown, expected: 'modal' | 'home'): BlockKitProblem[] {
  const problems = new ProblemList();
  if (!isObject(view)) {
    problems.add('/view', 'must be a view object');
    return problems.items;
  }
  if (view.type !== expected) {
    problems.add('/view/type', `must be ${expected}`);
    return problems.items;
  }
  if (expected === 'modal') {
    if (view.title === undefined) problems.add('/view', 'missing required field: title');
    else checkText(view.title, '/view/title', problems, BLOCK_LIMITS.viewTitle, true);
    for (const field of ['submit', 'close'] as const) {
      if (view[field] !== undefined) {
        checkText(view[field], `/view/${field}`, problems, BLOCK_LIMITS.viewButton, true);
      }
    }
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) {
      problems.add('/view', 'must provide submit when the view has input blocks');
    }
  }
  problems.maxLength(view.private_metadata, BLOCK_LIMITS.privateMetadata, '/view/private_metadata');
  problems.maxLength(view.callback_id, BLOCK_LIMITS.callbackId, '/view/callback_id');
  problems.maxLength(view.external_id, BLOCK_LIMITS.externalId, '/view/external_id');
  if (view.blocks === undefined) {
    problems.add('/view', 'missing required field: blocks');
    return problems.items;
  }
  return [...problems.items, ...checkBlocks(view.blocks, expected)];
}

/** Slack's wording in `response_metadata.messages`. */
export function formatProblem(problem: BlockKitProblem): string {
  return `[ERROR] ${problem.message} [json-pointer:${problem.pointer}]`;
}

export type MessageCheck =
  | { ok: true }
  | { ok: false; error: 'no_text' | 'msg_too_long' | 'invalid_blocks'; problems: BlockKitProblem[] };

/**
 * What `chat.postMessage`/`chat.update`/`chat.postEphemeral` (and response_url posts) check: some
 * content (`text`, `blocks` or `attachments`), `text` within 40,000 characters, valid blocks.
 */
export function checkMessage(message: {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}): MessageCheck {
  const hasText = typeof message.text === 'string' && message.text.length > 0;
  const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
  const hasAttachments = Array.isArray(message.attachments) && message.attachments.length > 0;
  if (!hasText && !hasBlocks && !hasAttachments) return { ok: false, error: 'no_text', problems: [] };
  if (typeof message.text === 'string' && message.text.length > BLOCK_LIMITS.messageText) {
    return {
      ok: false,
      error: 'msg_too_long',
      problems: [
        { pointer: '/text', message: `must be less than ${BLOCK_LIMITS.messageText + 1} characters` },
      ],
    };
  }
  if (typeof message.text === 'string' && !isWellFormed(message.text)) {
    return {
      ok: false,
      error: 'invalid_blocks',
      problems: [{ pointer: '/text', message: 'must be valid UTF-8' }],
    };
  }
  if (message.blocks !== undefined) {
    const problems = checkBlocks(message.blocks, 'message');
    if (problems.length > 0) return { ok: false, error: 'invalid_blocks', problems };
  }
  return { ok: true };
}
