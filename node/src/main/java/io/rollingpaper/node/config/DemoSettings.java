package io.rollingpaper.node.config;

/**
 * The demo board (the start page, {@code /p/{id}} and its assets). An operator whose own app shows
 * the papers turns it off; the client library at {@code /client/} stays served either way, since
 * apps load it from the node.
 *
 * @param pagesEnabled whether the node serves the demo pages ({@code DEMO_PAGES}, default true)
 */
public record DemoSettings(boolean pagesEnabled) {

  static DemoSettings read(EnvReader r) {
    // EnvReader.flag defaults to false; the demo is on unless turned off.
    return new DemoSettings(r.optional("DEMO_PAGES").isEmpty() || r.flag("DEMO_PAGES"));
  }
}
