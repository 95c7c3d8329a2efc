/**
 * Helpers for the deployment tests: rendering the chart, running haproxy and reading what they produce.
 */
package io.rollingpaper.deploy.support;
