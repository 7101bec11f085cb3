export {
  type AppAnswer,
  applySubmissionAnswer,
  type CommandContext,
  SLACK_ANSWER_TIMEOUT_MS,
  SLACKBOT_USER_ID,
  SUBMISSION_TROUBLE,
  type SubmissionOutcome,
  showCommandAnswer,
  showUnknownCommand,
} from './app-answers';
export {
  BLOCK_LIMITS,
  type BlockKitProblem,
  type BlockSurface,
  checkBlocks,
  checkMessage,
  checkView,
  formatProblem,
  type MessageCheck,
} from './block-kit';
export { ChangeFeed, type ChangeListener, type EmulatorChange } from './change-feed';
export { type EmulatorConfig, EmulatorConfigError, loadConfig } from './config';
export {
  type BlockActionInput,
  createSlackDriver,
  type Directory,
  type DriverResponse,
  type EventOptions,
  type SendOptions,
  type SentRequest,
  type SlackDriver,
  type SlackDriverOptions,
  type SlashCommandInput,
  slackCommandText,
  type ViewStateValue,
  type ViewSubmissionInput,
} from './driver';
export {
  type Chaos,
  type ChaosTally,
  createSlackEmulator,
  DEFAULT_APP_ID,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type Failure,
  type Faults,
  type RecordedCall,
  type SlackEmulator,
  type SlackEmulatorOptions,
  type SlackEmulatorState,
  TRIGGER_TTL_MS,
} from './emulator';
export {
  type HostileCase,
  type HostileExpectation,
  type HostileOptions,
  type HostileRequest,
  hostileRequests,
  meetsExpectation,
  sampleHostileCases,
} from './hostile';
export type {
  PageChange,
  PageConversation,
  PageEvent,
  PageMessage,
  PagePerson,
  PageSendResult,
  PageState,
  PageSubmitResult,
} from './page-types';
export {
  RESPONSE_URL_MAX_USES,
  RESPONSE_URL_TTL_MS,
  type RecordedResponse,
  type ResponseUrlContext,
} from './response-urls';
export { signSlackRequest } from './signing';
export type { SlackArgs, SlackResult, StoredMessage, StoredView } from './web-api';
export {
  type Channel,
  DEFAULT_BOT_SCOPES,
  DEFAULT_BOT_TOKEN,
  DEFAULT_TEAM_ID,
  DEFAULT_TEAM_NAME,
  type NewChannel,
  type NewTeam,
  type NewUser,
  type SeedOptions,
  type Team,
  type Token,
  type User,
} from './workspace';
export {
  type AppConnection,
  DEFAULT_WEB_ROOT,
  describeTimezone,
  registerWorkspacePage,
  type WorkspacePage,
  type WorkspacePageOptions,
} from './workspace-page';
