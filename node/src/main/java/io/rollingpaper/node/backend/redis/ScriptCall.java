package io.rollingpaper.node.backend.redis;

import io.rollingpaper.protocol.FrameCodec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One call of a function of the {@link LuaLibrary} on one paper: the paper's keys ({@link RedisKeys#scriptKeys})
 * and the arguments, which start with the four every function shares (prelude.lua's header). The classes
 * named {@code ...Call}/{@code ...Calls} each build the rest for the scripts they mirror.
 *
 * @param script the script (its function) to call, one of {@link LuaLibrary#SCRIPTS} or {@link LuaLibrary#READ_ONLY}
 */
record ScriptCall(String script, String paper, List<String> args) {

  /**
   * A call whose arguments are the shared four then {@code rest}.
   *
   * @param publish PUBLISH or SPUBLISH; written with a leading '-' it asks apply.lua to hold its delta back
   */
  static ScriptCall of(String script, String paper, String publish, String... rest) {
    RedisKeys keys = new RedisKeys(paper);
    // Room for what with() appends (an op's note pairs), so the list is not copied to grow on the hot path.
    List<String> args = new ArrayList<>(4 + rest.length + 16);
    args.add(FrameCodec.quote(paper));
    args.add(keys.channel());
    args.add(keys.notePrefix());
    args.add(publish);
    Collections.addAll(args, rest);
    return new ScriptCall(script, paper, args);
  }

  /** Appends variable arguments after the fixed ones (the list is this call's own). */
  ScriptCall with(List<String> more) {
    args.addAll(more);
    return this;
  }
}
