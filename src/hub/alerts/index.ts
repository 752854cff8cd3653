/** Alerts of the detection network: compose, preview, publish with fan-out, acknowledge, update, retract. */
export * from './alerts.js';
export * from './alert-messages.js';
