import { ElementView, InputControl, Unsupported } from './elements';
import { plainText, Text } from './mrkdwn';
import { useSurface } from './surface';
import type { Block, TextObject } from './types';

/**
 * Block Kit blocks as Slack lays them out: header, section (text, fields, accessory), context,
 * divider, actions and input. Any other block type renders as a visible "unsupported block"
 * placeholder, never silently.
 */

export const SUPPORTED_BLOCKS = ['header', 'section', 'context', 'divider', 'actions', 'input'] as const;

const blockIdOf = (block: Block): string => String(block.block_id ?? '');

function Header({ block }: { block: Block }) {
  return (
    <h3 class="block-header">
      <Text text={block.text as TextObject} />
    </h3>
  );
}

function Section({ block }: { block: Block }) {
  const fields = Array.isArray(block.fields) ? (block.fields as TextObject[]) : [];
  const accessory = block.accessory as Block | undefined;
  return (
    <div class="block-section">
      <div class="section-body">
        {block.text !== undefined && (
          <div class="section-text">
            <Text text={block.text as TextObject} />
          </div>
        )}
        {fields.length > 0 && (
          <div class="section-fields">
            {fields.map((field, i) => (
              <div key={i} class="section-field">
                <Text text={field} />
              </div>
            ))}
          </div>
        )}
      </div>
      {accessory && (
        <div class="section-accessory">
          {accessory.type === 'image' ? (
            <ImageAlt element={accessory} />
          ) : (
            <ElementView element={accessory} blockId={blockIdOf(block)} />
          )}
        </div>
      )}
    </div>
  );
}

/** Images are not fetched (the page works offline); their alt text stands in. */
function ImageAlt({ element }: { element: Block }) {
  return (
    <span class="image-alt" role="img" aria-label={String(element.alt_text ?? 'image')}>
      🖼 {String(element.alt_text ?? 'image')}
    </span>
  );
}

function Context({ block }: { block: Block }) {
  const elements = Array.isArray(block.elements) ? (block.elements as Block[]) : [];
  return (
    <div class="block-context">
      {elements.map((element, i) =>
        element.type === 'image' ? (
          <ImageAlt key={i} element={element} />
        ) : element.type === 'mrkdwn' || element.type === 'plain_text' ? (
          <span key={i} class="context-element">
            <Text text={element as unknown as TextObject} />
          </span>
        ) : (
          <Unsupported key={i} what="element" type={element.type} />
        ),
      )}
    </div>
  );
}

function Actions({ block }: { block: Block }) {
  const elements = Array.isArray(block.elements) ? (block.elements as Block[]) : [];
  return (
    <div class="block-actions">
      {elements.map((element, i) => (
        <ElementView key={String(element.action_id ?? i)} element={element} blockId={blockIdOf(block)} />
      ))}
    </div>
  );
}

function Input({ block }: { block: Block }) {
  const surface = useSurface();
  const blockId = blockIdOf(block);
  const element = block.element as Block;
  const error = surface.errors[blockId];
  const labelId = `label-${blockId}`;
  const errorId = `error-${blockId}`;
  const hintId = `hint-${blockId}`;
  const hint = block.hint as TextObject | undefined;
  const describedBy = [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`block-input-group${error ? ' has-error' : ''}`}>
      <span class="input-label" id={labelId}>
        {plainText(block.label as TextObject)}
        {block.optional === true && <span class="optional"> (optional)</span>}
      </span>
      <InputControl
        element={element}
        blockId={blockId}
        inInput
        dispatch={block.dispatch_action === true}
        labelId={labelId}
        {...(describedBy ? { describedBy } : {})}
        invalid={Boolean(error)}
      />
      {error && (
        <p class="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
      {hint && (
        <p class="input-hint" id={hintId}>
          <Text text={hint} />
        </p>
      )}
    </div>
  );
}

export function BlockView({ block }: { block: Block }) {
  switch (block.type) {
    case 'header':
      return <Header block={block} />;
    case 'section':
      return <Section block={block} />;
    case 'context':
      return <Context block={block} />;
    case 'divider':
      return <hr class="block-divider" />;
    case 'actions':
      return <Actions block={block} />;
    case 'input':
      return <Input block={block} />;
    default:
      return <Unsupported what="block" type={String(block.type)} />;
  }
}

/** A list of blocks, each keyed by its block_id. */
export function Blocks({ blocks }: { blocks: unknown[] }) {
  return (
    <div class="blocks">
      {(blocks as Block[]).map((block, i) => (
        <div class="block" key={block.block_id ?? i} data-block-type={block.type}>
          <BlockView block={block} />
        </div>
      ))}
    </div>
  );
}
