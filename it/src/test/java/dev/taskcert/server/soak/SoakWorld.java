package dev.taskcert.server.soak;

import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import dev.taskcert.dev.DemoData;
import java.util.List;

/**
 * The data the soak's tasks read, created through the Admin API: a variable and a connection per
 * demo team and one shared variable, with the values a read must return. Soak tasks run in the
 * demo DAGs, alternating between the two teams.
 */
final class SoakWorld {
  /** Prefix of every variable the soak creates. */
  static final String PREFIX = "soak_";
  static final String SHARED_VARIABLE = PREFIX + "shared_setting";
  static final String SHARED_VALUE = "shared by every soak task";

  /** One team's demo DAG and the resources only its tasks may read. */
  record Team(DemoData.DemoTask demo, String variable, String variableValue, String connection, String password) {
    static Team of(DemoData.DemoTask demo) {
      return new Team(demo, PREFIX + demo.team() + "_setting", "value of " + demo.team(),
          PREFIX + demo.team() + "_db", "password of " + demo.team());
    }
  }

  private final List<Team> teams = List.of(Team.of(DemoData.ANALYTICS), Team.of(DemoData.PAYMENTS));

  /** Creates the variables and connections. */
  void seed(AdminGrpc.AdminBlockingStub admin) {
    admin.setVariable(AdminSetVariableRequest.newBuilder().setKey(SHARED_VARIABLE).setValue(SHARED_VALUE).build());
    for (Team team : teams) {
      admin.setVariable(AdminSetVariableRequest.newBuilder().setKey(team.variable()).setValue(team.variableValue())
          .setTeam(team.demo().team()).build());
      admin.setConnection(AdminSetConnectionRequest.newBuilder().setConnId(team.connection())
          .setTeam(team.demo().team()).setConnType("postgres").setHost("db." + team.demo().team())
          .setLogin("etl").setPassword(team.password()).setPort(5432).build());
    }
  }

  /** The team of the supervisor in {@code slot}. */
  Team teamOf(int slot) {
    return teams.get(slot % teams.size());
  }

  /** The team that is not {@code team}. */
  Team otherThan(Team team) {
    return teams.get(0).equals(team) ? teams.get(1) : teams.get(0);
  }

  /** The task id of the supervisor in {@code slot}; its tries follow one another. */
  static String taskIdOf(int slot) {
    return String.format("soak_%03d", slot);
  }
}
