/** Member organisations of the detection network: profile, contacts, webhook, preferences, admins. */
export * from './member-profile.js';
export * from './member-contacts.js';
export * from './member-webhook.js';
export * from './member-admins.js';
export * from './member-keys.js';
export * from './member-activity.js';
