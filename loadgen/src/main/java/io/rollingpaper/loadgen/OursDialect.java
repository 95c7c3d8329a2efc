package io.rollingpaper.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Our protocol (docs/PROTOCOL.md): one JSON object per text frame, paper in the path. */
final class OursDialect implements WireDialect {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String paper;

  OursDialect(String paper) {
    this.paper = paper;
  }

  @Override
  public String uri(String baseUrl, String user) {
    return baseUrl + "/ws/" + paper + "?user=" + user + "&name=" + user;
  }

  @Override
  public String opFrame(String cid, String opJson) {
    return "{\"type\":\"op\",\"cid\":\"" + cid + "\",\"op\":" + opJson + "}";
  }

  @Override
  public int deltaStart(String s) {
    return s.startsWith(Frames.DELTA_PREFIX) ? 0 : -1;
  }

  @Override
  public void onOther(String s, Events events) {
    if (s.startsWith(Frames.PRESENCE_PREFIX)) {
      // Presence comes with every join; no need for a tree.
      events.presence();
      return;
    }
    JsonNode frame;
    try {
      frame = JSON.readTree(s);
    } catch (Exception e) {
      events.unparsable();
      return;
    }
    switch (frame.path("type").asText("")) {
      case "snapshot" -> events.snapshot(frame.path("seq").asLong(-1));
      case "resumed" -> events.resumed(frame.path("seq").asLong(-1));
      case "error" -> events.error(frame.path("code").asText("?"), frame.path("cid").asText(""));
      default -> events.other();
    }
  }
}
