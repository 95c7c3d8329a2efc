package io.rollingpaper.loadgen;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis command over a blocking socket of its own, for the figures read around a window (never on an event
 * loop). A reply comes back as a String, a Long, a List of replies or null; an error reply throws.
 */
final class Resp {
  private Resp() {
  }

  static Object call(String host, int port, String... args) throws IOException {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return reply(new BufferedInputStream(socket.getInputStream()));
    }
  }

  private static Object reply(InputStream in) throws IOException {
    String line = readLine(in);
    if (line.isEmpty()) {
      throw new IOException("no reply");
    }
    String rest = line.substring(1);
    switch (line.charAt(0)) {
      case '+':
        return rest;
      case '-':
        throw new IOException("Redis answered " + rest);
      case ':':
        return Long.parseLong(rest);
      case '$': {
        int length = Integer.parseInt(rest);
        if (length < 0) {
          return null;
        }
        byte[] body = in.readNBytes(length + 2);
        return new String(body, 0, length, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(rest);
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(reply(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected reply " + line);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
