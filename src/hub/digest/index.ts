/** The daily digest for members whose email preference is digest: held-back items, the daily run, the email. */
export * from './digest-items.js';
export * from './daily-digest.js';
export * from './digest-messages.js';
