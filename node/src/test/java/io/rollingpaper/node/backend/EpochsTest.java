package io.rollingpaper.node.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

/** Epoch names: 20 characters of [0-9a-z], every symbol in use, no repeats. */
class EpochsTest {

  @Test
  void namesAreTwentyCharactersOfDigitsAndLowerCaseLetters() {
    for (int i = 0; i < 1000; i++) {
      assertThat(Epochs.next()).matches("[0-9a-z]{20}");
    }
  }

  @Test
  void everySymbolIsUsedAndNoNameRepeats() {
    Set<String> names = new HashSet<>();
    Set<Character> symbols = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String name = Epochs.next();
      names.add(name);
      name.chars().forEach(c -> symbols.add((char) c));
    }
    assertThat(names).hasSize(10_000);
    assertThat(symbols).hasSize(36);
  }
}
