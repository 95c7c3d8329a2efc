package io.rollingpaper.loadgen;

/** The server under load: ours (Rolling Paper Live) or the Socket.IO peer in bench/peer-socketio. */
enum Target {
  OURS {
    @Override
    WireDialect dialect(String paper) {
      return new OursDialect(paper);
    }
  },
  SOCKETIO {
    @Override
    WireDialect dialect(String paper) {
      return new SocketIoDialect(paper);
    }
  };

  /** A new dialect for one connection to {@code paper}. */
  abstract WireDialect dialect(String paper);

  /** The name as given on the command line and written to the JSON summary. */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
