package dev.gonetpoll.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

/** A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made once per JVM. */
public final class TestCertificates {

    private static X509Bundle localhost;

    private TestCertificates() {
    }

    /** The certificate and its key: the server's key material, and the client's only trusted root. */
    public static synchronized X509Bundle localhost() {
        if (localhost == null) {
            try {
                localhost = new CertificateBuilder()
                        .subject("CN=localhost")
                        .addSanDnsName("localhost")
                        .addSanIpAddress("127.0.0.1")
                        .setIsCertificateAuthority(true)
                        .ecp256()
                        .buildSelfSigned();
            } catch (Exception e) {
                throw new IllegalStateException("cannot make a test certificate", e);
            }
        }
        return localhost;
    }
}
