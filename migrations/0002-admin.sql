-- Admin commands: AS numbers are 32-bit unsigned (RFC 6793), beyond PostgreSQL's integer.
alter table host alter column asn type bigint;
alter table host add constraint host_asn_32bit check (asn <= 4294967295);
alter table host_peer_asn alter column asn type bigint;
alter table host_peer_asn add constraint host_peer_asn_32bit check (asn <= 4294967295);
