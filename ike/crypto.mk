# ike/ crypto: IKEv1 algorithm tables, Diffie-Hellman, PRF-based derivations
# (ike/libikecrypto.a).

noinst_LIBRARIES += ike/libikecrypto.a
ike_libikecrypto_a_SOURCES = \
	ike/ike_crypto.c ike/ike_crypto.h \
	ike/ike_crypto_internal.h \
	ike/ike_dh.c ike/ike_dh.h \
	ike/ike_prf.c ike/ike_prf.h
ike_libikecrypto_a_CFLAGS = $(AM_CFLAGS) -Wconversion $(CRYPTO_CFLAGS)

check_PROGRAMS += ike/ike_crypto_test
TESTS += ike/ike_crypto_test

ike_ike_crypto_test_SOURCES = ike/ike_crypto_test.c
ike_ike_crypto_test_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
ike_ike_crypto_test_CPPFLAGS = $(AM_CPPFLAGS) -DIKE_VECTOR_DIR='"$(top_srcdir)/tests/data/ike-vectors"'
ike_ike_crypto_test_LDADD = ike/libikecrypto.a lib/libcommon.a $(CRYPTO_LIBS)

EXTRA_DIST += \
	tests/data/ike-vectors/README.md \
	tests/data/ike-vectors/3des-sha1-modp1024.txt \
	tests/data/ike-vectors/3des-sha1-modp1024.pcap \
	tests/data/ike-vectors/aes256-sha1-modp2048.txt \
	tests/data/ike-vectors/aes256-sha1-modp2048.pcap \
	tests/data/ike-vectors/aes128-sha256-ecp256.txt \
	tests/data/ike-vectors/aes128-sha256-ecp256.pcap \
	tests/data/ike-vectors/aes192-sha384-ecp384-pfs.txt \
	tests/data/ike-vectors/aes192-sha384-ecp384-pfs.pcap \
	tests/data/ike-vectors/3des-md5-modp1536-pfs.txt \
	tests/data/ike-vectors/3des-md5-modp1536-pfs.pcap \
	tests/data/ike-vectors/aes256-sha512-modp1024.txt \
	tests/data/ike-vectors/aes256-sha512-modp1024.pcap \
	tests/data/ike-vectors/gen/generate.sh \
	tests/data/ike-vectors/gen/extract.py \
	tests/data/ike-vectors/gen/cases.txt
