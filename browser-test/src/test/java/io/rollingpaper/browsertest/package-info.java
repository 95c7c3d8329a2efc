/**
 * Real headless Chromium pages (Selenium + chromedriver) against node processes on one Redis: the demo board and two boards on two nodes seeing each other's notes. Runs in the integration-test phase on the test thread.
 */
package io.rollingpaper.browsertest;
