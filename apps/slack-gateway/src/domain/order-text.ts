import { ORDER_TEXT_MAX_LENGTH, orderTextIssue } from '@coffeebuddy/contracts';
import { countCharacters } from '@coffeebuddy/slack';

/**
 * What is wrong with an order's text, in words for the modal, or null. The text is what the
 * person typed (Slack does not escape modal input) and is kept that way; its length is counted in
 * characters as they typed them. The rule itself is the contracts' OrderText schema, so the
 * gateway and the services can never disagree on it.
 */
export function orderTextProblem(text: string): string | null {
  const issue = orderTextIssue(text);
  if (issue === 'empty') return 'Please say what you would like.';
  if (issue === 'too_long')
    return `Keep it under ${ORDER_TEXT_MAX_LENGTH} characters (this is ${countCharacters(text)}).`;
  return null;
}
