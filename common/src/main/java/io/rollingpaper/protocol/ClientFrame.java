package io.rollingpaper.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A frame a client sends, decoded and validated by {@link FrameCodec#decodeClientFrame}. */
public sealed interface ClientFrame {
  /** @param cid the client's correlation id, or null */
  record OpFrame(String cid, Op op) implements ClientFrame {
  }

  record SignalFrame(JsonNode data) implements ClientFrame {
  }
}
