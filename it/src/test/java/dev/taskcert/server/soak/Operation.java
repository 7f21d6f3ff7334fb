package dev.taskcert.server.soak;

import java.util.Random;

/**
 * The calls a soak supervisor makes, each with its share of the mix. Heartbeats and reads dominate,
 * as in a real task; writes and an authorization check that must be refused are mixed in.
 */
enum Operation {
  HEARTBEAT(5),
  GET_OWN_VARIABLE(3),
  GET_SHARED_VARIABLE(2),
  LIST_VARIABLE_KEYS(1),
  GET_CONNECTION(2),
  SET_XCOM(2),
  GET_XCOM(2),
  COUNT_XCOMS(1),
  SET_RENDERED_FIELDS(1),
  PREVIOUS_DAG_RUN(1),
  /** Reads the other team's variable, which must be answered NOT_FOUND, as if it did not exist. */
  READ_OTHER_TEAMS_VARIABLE(1);

  private static final int TOTAL_WEIGHT = totalWeight();

  private final int weight;

  Operation(int weight) {
    this.weight = weight;
  }

  /** A random operation, in proportion to the weights. */
  static Operation pick(Random random) {
    int ticket = random.nextInt(TOTAL_WEIGHT);
    for (Operation operation : values()) {
      ticket -= operation.weight;
      if (ticket < 0) {
        return operation;
      }
    }
    throw new AssertionError("weights do not add up");
  }

  private static int totalWeight() {
    int total = 0;
    for (Operation operation : values()) {
      total += operation.weight;
    }
    return total;
  }
}
