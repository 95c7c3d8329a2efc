package io.rollingpaper.protocol;

/** One user present on a paper (once, however many sessions the user has open). */
public record PresenceEntry(String user, String name) {
}
