package dev.taskcert.server.fault;

import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import dev.taskcert.proto.admin.v1.ListAuditEventsRequest;
import dev.taskcert.server.testing.TestEnvironment;
import java.util.function.Supplier;

/** An operator's workload through the Admin API: write a global variable, read the audit log. */
final class OperatorLoadWorker extends LoadWorker {
  private final Supplier<AdminGrpc.AdminBlockingStub> admin;
  private final String variable;
  private final VariableWrites writes = new VariableWrites();

  OperatorLoadWorker(String name, Supplier<AdminGrpc.AdminBlockingStub> admin, String variable) {
    super(name);
    this.admin = admin;
    this.variable = variable;
    admin.get(); // opens the operator's channel before the load starts
  }

  @Override
  String operationName(long step) {
    return step % 2 == 0 ? "Admin/SetVariable" : "Admin/ListAuditEvents";
  }

  @Override
  void step(long step) {
    if (step % 2 == 0) {
      writes.attempt(step);
      admin.get().setVariable(AdminSetVariableRequest.newBuilder().setKey(variable).setValue(Long.toString(step)).build());
      writes.acknowledge(step);
    } else {
      admin.get().listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(5).build());
    }
  }

  @Override
  long pauseMillis() {
    return 20;
  }

  @Override
  void verifyDurable(TestEnvironment env) throws Exception {
    writes.verify(name() + " variable " + variable, env.count("select value::bigint from variable where key = '" + variable + "'"));
  }
}
