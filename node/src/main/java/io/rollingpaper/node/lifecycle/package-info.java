/**
 * A paper's whole life across the live store and the archive: deletion that stays deleted, deliberate
 * creation, completion committed in the archive (with its webhook event), papers served from the archive
 * once their live copy expired, and idle papers moved out of the live store and brought back. Everything
 * here runs on the node's event loop and only composes futures.
 */
package io.rollingpaper.node.lifecycle;
