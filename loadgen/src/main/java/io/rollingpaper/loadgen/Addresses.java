package io.rollingpaper.loadgen;

import java.util.ArrayList;
import java.util.List;

/**
 * Source addresses given on the command line: single IPv4 addresses or ranges whose last octet varies,
 * {@code 127.0.0.2-127.0.0.9} or {@code 127.0.0.2-9}. On Linux every 127.0.0.0/8 address is local, and each
 * source address has its own ephemeral port range, so spreading sockets over several passes the 28k
 * ports one address gets towards one server port.
 */
final class Addresses {
  private Addresses() {
  }

  static List<String> expand(List<String> items) {
    List<String> out = new ArrayList<>();
    for (String raw : items) {
      String item = raw.trim();
      if (item.isEmpty()) {
        continue;
      }
      int dash = item.indexOf('-');
      if (dash < 0) {
        out.add(item);
        continue;
      }
      String from = item.substring(0, dash).trim();
      String to = item.substring(dash + 1).trim();
      int lastDot = from.lastIndexOf('.');
      if (lastDot < 0 || from.chars().filter(c -> c == '.').count() != 3) {
        throw new IllegalArgumentException("not an IPv4 range: " + item);
      }
      String prefix = from.substring(0, lastDot + 1);
      if (to.contains(".")) {
        if (!to.startsWith(prefix) || to.chars().filter(c -> c == '.').count() != 3) {
          throw new IllegalArgumentException("a range may only vary the last octet: " + item);
        }
        to = to.substring(prefix.length());
      }
      int a;
      int b;
      try {
        a = Integer.parseInt(from.substring(lastDot + 1));
        b = Integer.parseInt(to);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an IPv4 range: " + item);
      }
      if (a < 0 || b > 255 || a > b) {
        throw new IllegalArgumentException("bad range (last octet from 0 to 255, ascending): " + item);
      }
      for (int i = a; i <= b; i++) {
        out.add(prefix + i);
      }
    }
    return out;
  }
}
