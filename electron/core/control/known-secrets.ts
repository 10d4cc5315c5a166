/**
 * Every secret the control services have seen, to scrub from results, events and logs. Bounded:
 * the oldest is forgotten first (a long-running app sees few AppSecrets, but never an endless list).
 */
import { BoundedSet } from '../util/bounded';

const MAX_KNOWN_SECRETS = 64;

export class KnownSecrets {
  private readonly known = new BoundedSet<string>(MAX_KNOWN_SECRETS);

  /** `isPublic`: a value that looks like a secret but must not be masked (the sandbox's test AppSecret). */
  constructor(private readonly isPublic: (value: string) => boolean = () => false) {}

  remember(secret: string | undefined): void {
    if (!secret || this.known.has(secret) || this.isPublic(secret)) return;
    this.known.add(secret);
  }

  forget(secret: string): void {
    this.known.delete(secret);
  }

  /** A fresh list each time (for scrub() and the log hub). */
  readonly list = (): string[] => [...this.known];
}
