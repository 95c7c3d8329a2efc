/** The Rolling Paper Live wire protocol: frames, ops, error codes, limits and the JSON codec. */
package io.rollingpaper.protocol;
