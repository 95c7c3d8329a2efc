/**
 * Deployment artefacts checked without a cluster: the Helm chart rendered and validated against Kubernetes models, every HAProxy config checked with `haproxy -c` and routed through, compose and the cluster script's generated config. Plain JUnit on the test thread.
 */
package io.rollingpaper.deploy;
