import type { WebhookMessage } from "@eventwire/core";

/**
 * What a dispatcher run has read of the due messages: each message once (as due at a given
 * time), in numbered pages. Pages read up to the stale mark are stale: a claim from one was lost
 * to another dispatcher, so their messages not yet claimed are let go (and read again) rather
 * than fought over one by one.
 */
export type DuePages = {
  /** The messages of a page not read before in this run. */
  unread(messages: readonly WebhookMessage[]): WebhookMessage[];
  /** Notes these messages read, as a new page; its number. */
  markRead(messages: readonly WebhookMessage[]): number;
  /** Lets a message of a stale page be read again. */
  forget(message: WebhookMessage): void;
  isStale(page: number): boolean;
  /** Marks the pages up to `page` stale; false when they already were. */
  markStale(page: number): boolean;
};

/** A run's due pages, none read yet. */
export function createDuePages(): DuePages {
  const seen = new Set<string>();
  const seenKey = (message: WebhookMessage) => `${message.id}@${message.dueAt}`;
  let pages = 0;
  let stalePage = 0;
  return {
    unread: (messages) => messages.filter((message) => !seen.has(seenKey(message))),
    markRead(messages) {
      pages += 1;
      for (const message of messages) seen.add(seenKey(message));
      return pages;
    },
    forget(message) {
      seen.delete(seenKey(message));
    },
    isStale: (page) => page <= stalePage,
    markStale(page) {
      if (page <= stalePage) return false;
      stalePage = page;
      return true;
    },
  };
}
