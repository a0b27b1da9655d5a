// Debian's Chromium for the browser tests (playwright-core drives it; no downloaded browser), and how it is started.
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, offline: no background networking, updates or sync (the machines reach no internet). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
