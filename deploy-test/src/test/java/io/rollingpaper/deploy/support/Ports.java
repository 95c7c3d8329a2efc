package io.rollingpaper.deploy.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports. */
public final class Ports {
  private Ports() {}

  public static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A base port P such that P..P+count-1 are all free. */
  public static int freeBlock(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(30_000, 60_000 - count);
      boolean ok = true;
      for (int p = base; p < base + count && ok; p++) {
        ok = isFree(p);
      }
      if (ok) {
        return base;
      }
    }
    throw new IllegalStateException("no block of " + count + " free ports found");
  }
}
