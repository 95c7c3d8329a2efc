package io.rollingpaper.node.backend.redis;

import java.nio.charset.StandardCharsets;

/** Redis Cluster's hash slots: CRC16 (XMODEM) of a key's hash tag, modulo 16384. */
final class ClusterSlots {
  static final int COUNT = 16384;

  private ClusterSlots() {
  }

  /** The slot of a key or shard channel, honouring a {@code {tag}} as Redis does. */
  static int of(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        key = key.substring(open + 1, close);
      }
    }
    return crc16(key.getBytes(StandardCharsets.UTF_8)) & (COUNT - 1);
  }

  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc;
  }
}
