import {
  DEMO_BANK_CLIENT_ID,
  DEMO_BANK_CLIENT_PUBLIC_KEY,
  DEMO_BANK_PRIVATE_KEY,
} from './demo-keys';

/** How the sandbox bank behaves, from channel-sandbox's config. */
export interface BankSandboxSettings {
  /** How long after acceptance a payout is finished (PROCESSING → SUCCEEDED / FAILED). */
  payoutDelayMs: number;
  /** Multiplies the notification retry schedule (CALLBACK_TIME_SCALE). */
  callbackTimeScale: number;
  /** How often the payout and notification workers look for due work. */
  pollIntervalMs: number;
}

export const BANK_SANDBOX_SETTINGS = Symbol('BANK_SANDBOX_SETTINGS');

/** An enterprise client of the direct link (银企直连客户): its id and registered public key. */
export interface BankClientRegistration {
  clientId: string;
  publicKey: string;
}

/** The clients the bank knows: the PayLab platform only; its key is a committed demo constant. */
const CLIENTS: ReadonlyMap<string, BankClientRegistration> = new Map([
  [DEMO_BANK_CLIENT_ID, { clientId: DEMO_BANK_CLIENT_ID, publicKey: DEMO_BANK_CLIENT_PUBLIC_KEY }],
]);

export function findBankClient(clientId: string): BankClientRegistration | undefined {
  return CLIENTS.get(clientId);
}

/** The bank's own signing key (responses, statements, notifications). */
export const BANK_SIGNING_KEY = DEMO_BANK_PRIVATE_KEY;
