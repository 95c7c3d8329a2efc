package io.rollingpaper.protocol;

public enum PaperStatus {
  OPEN, COMPLETED;

  public String wire() {
    return this == OPEN ? "open" : "completed";
  }

  public static PaperStatus fromWire(String wire) {
    return "completed".equals(wire) ? COMPLETED : OPEN;
  }
}
