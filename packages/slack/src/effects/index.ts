export { ADMIN_EFFECTS, adminEffectKinds, requestMessageReplace } from './admin-effects';
export { type AttemptFailure, classifyAttemptError } from './classify';
export {
  createEffectDeliverer,
  type EffectDeliverer,
  type EffectDelivererOptions,
  SLACK_EFFECTS_POLLER,
} from './deliverer';
export { EFFECT_METADATA_TYPE, findPostedParts } from './recovery';
export {
  type Notify,
  RUN_EFFECTS,
  requestAppHome,
  requestChannelNotice,
  requestCloseEffects,
  requestRunMessage,
  requestRunMessageUpdate,
  requestTell,
  runEffectKinds,
  runMessageRefusedText,
} from './run-effects';
export {
  cancelPendingEffects,
  DEFAULT_EFFECT_WINDOW_MS,
  recordEffect,
  recordVersionedEffect,
  redriveEffects,
} from './store';
export type {
  ClaimedEffect,
  EffectFailure,
  EffectInput,
  EffectKind,
  EffectKinds,
  EffectRenderContext,
  RenderedCall,
  SentResult,
} from './types';
