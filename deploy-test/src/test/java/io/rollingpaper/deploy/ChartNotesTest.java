package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollingpaper.deploy.support.Chart;
import org.junit.jupiter.api.Test;

/** NOTES.txt, as `helm install` prints it (client-only dry run). */
class ChartNotesTest {
  static final String HAPROXY = Chart.FULLNAME + "-haproxy";

  @Test
  void clusterIpExplainsPortForwardAndTheWebSocketUrl() {
    String notes = Chart.installDryRunOutput("");
    assertThat(notes).contains("kubectl port-forward --namespace boards svc/" + HAPROXY + " 8080:80");
    assertThat(notes).contains("ws://127.0.0.1:8080/ws/<paperId>");
    assertThat(notes).contains("http://" + HAPROXY + ".boards.svc.cluster.local:80/");
  }

  @Test
  void loadBalancerExplainsHowToFindTheExternalAddress() {
    String notes = Chart.installDryRunOutput(ChartVariants.LOADBALANCER_HAPROXY);
    assertThat(notes).contains("kubectl get svc --namespace boards " + HAPROXY + " -w");
    assertThat(notes).contains("ws://$ADDR:443/ws/<paperId>");
  }

  @Test
  void generatedCredentialsAreExplainedAndAuthOffIsWarnedAbout() {
    assertThat(Chart.installDryRunOutput(""))
        .contains("Authentication is ON")
        .contains("kubectl get secret --namespace boards " + Chart.FULLNAME + "-auth -o jsonpath='{.data.jwt-secret}'");
    assertThat(Chart.installDryRunOutput(ChartVariants.AUTH_OFF)).contains("WARNING: authentication is OFF");
  }

  @Test
  void namesTheRedisInUse() {
    assertThat(Chart.installDryRunOutput("")).contains("Redis: builtin");
    assertThat(Chart.installDryRunOutput(ChartVariants.SENTINEL)).contains("Redis: sentinel");
  }
}
