import { randomBytes, randomInt } from 'node:crypto';

/** Identifiers in the shapes Slack uses, so apps that parse or log them see familiar values. */

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** `V` + 10 characters, like `V0123ABCDEF`. */
export function newViewId(): string {
  return `V${randomAlphanumeric(10)}`;
}

/** `<digits>.<digits>.<hex>`, like `13345224609.738474920.8088930838d88f008e0`. */
export function newTriggerId(nowMs: number): string {
  return `${Math.floor(nowMs / 1000)}${randomInt(10)}.${randomInt(100_000_000, 999_999_999)}.${randomBytes(16).toString('hex')}`;
}

export function newOAuthCode(nowMs: number): string {
  return `${Math.floor(nowMs / 1000)}.${randomInt(100_000_000, 999_999_999)}.${randomBytes(24).toString('hex')}`;
}

export function newEventId(): string {
  return `Ev${randomAlphanumeric(10)}`;
}

export function newViewHash(nowMs: number): string {
  return `${Math.floor(nowMs / 1000)}.${randomBytes(4).toString('hex')}`;
}

/**
 * Message timestamps: `<unix seconds>.<6 digits>`, unique and strictly increasing across the
 * emulator (Slack's are unique per channel; globally unique is a stricter promise).
 */
export class MessageClock {
  private lastSeconds = 0;
  private lastMicros = 0;

  constructor(private readonly now: () => number) {}

  next(): string {
    const ms = this.now();
    let seconds = Math.floor(ms / 1000);
    let micros = (ms % 1000) * 1000;
    if (seconds < this.lastSeconds || (seconds === this.lastSeconds && micros <= this.lastMicros)) {
      seconds = this.lastSeconds;
      micros = this.lastMicros + 100;
      if (micros > 999_999) {
        seconds += 1;
        micros = 0;
      }
    }
    this.lastSeconds = seconds;
    this.lastMicros = micros;
    return `${seconds}.${micros.toString().padStart(6, '0')}`;
  }
}
