/**
 * DEMO KEYS — NOT SECRET, NEVER USE OUTSIDE PAYLAB. Generated once with node:crypto (RSA-2048)
 * for the teaching sandbox. A real merchant generates its own app key pair and uploads only the
 * public half; a real Alipay platform key never leaves Alipay. They are committed so that every
 * checkout signs and verifies the same way without any set-up.
 *
 * - The merchant app's private key (PKCS#1 `RSA PRIVATE KEY`, alipay-sdk's default keyType) signs
 *   requests to the gateway; acquiring holds it. The sandbox keeps only the public half.
 * - The sandbox "Alipay platform" private key (PKCS#8) signs gateway responses and async
 *   notifications; merchants verify them with its public half (alipay-sdk `alipayPublicKey`).
 */

/** The demo merchant app's id (APPID) at the simulated Alipay open platform. */
export const DEMO_ALIPAY_APP_ID = '2021000000000001';

/** The demo merchant's partner id (PID, 合作伙伴身份); statements name the account by it. */
export const DEMO_ALIPAY_PID = '2088000000000001';

/** The PEM format of DEMO_ALIPAY_APP_PRIVATE_KEY (alipay-sdk option `keyType`). */
export const DEMO_ALIPAY_APP_KEY_TYPE = 'PKCS1';

/** DEMO ONLY. The merchant app's private key: acquiring signs gateway requests with it. */
export const DEMO_ALIPAY_APP_PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAt6kYMJIyRWbVllZYxET5UrJnDp1tmymr63nGgeEqXjim5NMd
gqPrDCgB5bWLZ/znYeTNgt9sfUvU7aUvnCDUrRdxTdUPP8td1zpjTClezqD6ih7d
F8LH2gEBbIgUUS8UlyPgj92cmw8KoG/5VNZp4+PaaduLg5CCHB6wARAzF8W67o/w
OcYDx2/j+sWU53Oxn59sxyDHxYISka7mqgH7jif/xY/H6GyluWJHC8hIhAglF+an
mB5oNFd68mcP5J8M4I2U+N83mVPWyXC7XFnVnmbg6SnhyOPiNRqdSH7jr9EPDayW
Slwe64KhYp10w20JRiBZszSHFMi/aHPuI6m3eQIDAQABAoIBABnIFHEOYh0zoYGw
TwIE9q+WWKOIvkVSSmPMspeH3rU0TwVUjNIf0D6NcoVnAJH77WqPaQ6umMxWnqYv
kpPgWJ/lvbjh0vlZwytpSF19eeVtW/jopTu70uc2Teyzhjqb7nrbBUqHdFT1/cAQ
3UInXoeoSYBOWp2A5dWBtKOpklU15ievFnrkyWABtXlo16YGGsO5AZomOo1uEBBw
3eUfy4kmTe3EXyyYglYrMRd0rDngDupSct5DLy2zL2kj5yW6wf24wfl6sWrgSOac
UVQMEOA16ETFWR87+2PG54d3lgKcYbqVDhOaX6AxPa8/Pf6LPvr3nyIfzwjNFqT/
yM/PM1sCgYEA8tNwXDPwYwSNXjNvJKIDUSQH+ROiLwr9S21u8tVyvbMsdxYKJsbS
jgmHreKmSs1+aXXzKdCBVJCCmmy5eFzEcInWUKeKVTrjpamlM1yDrIIMBzLcOCi0
4X/50N+bcGaK2/uk4vBac+kfAMJQZm5hq4FJbtSKWuMGJyrH5Jf4fesCgYEAwZ/r
Q6j8//BIFxTIvnL6u2Dl+8TTbyt33dRWoY1N5ByORBiCC8qew79prhUI3PzVgFU1
jQ4oPAiSfl5lksX1/ZV+uh/POzsvg+NV8BHnUoz/kg2+xEpi/ki3gN+VkHiJOpuY
yxVRZhOOp8mHM8PR7BiSUBY43hwirUG+9vIUcysCgYEAxID83XCeqNKnQEMpPyDo
xEH/Pb54sc8X2XFOpq668u7LHfe08VpWS+FEbiALaF9RXDC6Pe1gq7liJ2uyz8dq
pJO23oAmfwBv9sEJUj4cxH5dE3pCIiQ29IFm/XPmyxgAaTMEZS4SVNijYS7ed3X+
DhdLAKh46kHr2chSCRg+XE8CgYEAri/96HqIUH+Leyg5iAvMQPHlNGBXjfVe+nNi
FCgY4JRH8D7UD2OS/KqgmflWZegW8kK10FXiIE/d6k1lt2rb5+urfCnNto2CK3ZD
A5w3rG4oJO60pcX91KD6ZLe/x56IZe9Av8JH3jrN5WhJd2o82dcpGV9EfZx2HcO9
1k7l0s0CgYAbhZI23TSsEB6j8HcuIA82aIDcFgKdnNKyOK8Rpy2yffVWv+mZY9+J
Dnug970DVw54/qBzp+BWQMHPhKvScH3G5nQaESsdiapqZA4OkPwMgMkD//8yNrKt
fTNelYFMzmugw93GOEVs+jOM592hqQGeuLmpS0t9AMnqchXoS6Iogw==
-----END RSA PRIVATE KEY-----`;

/** DEMO ONLY. The merchant app's public key: the sandbox verifies request signatures with it. */
export const DEMO_ALIPAY_APP_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAt6kYMJIyRWbVllZYxET5
UrJnDp1tmymr63nGgeEqXjim5NMdgqPrDCgB5bWLZ/znYeTNgt9sfUvU7aUvnCDU
rRdxTdUPP8td1zpjTClezqD6ih7dF8LH2gEBbIgUUS8UlyPgj92cmw8KoG/5VNZp
4+PaaduLg5CCHB6wARAzF8W67o/wOcYDx2/j+sWU53Oxn59sxyDHxYISka7mqgH7
jif/xY/H6GyluWJHC8hIhAglF+anmB5oNFd68mcP5J8M4I2U+N83mVPWyXC7XFnV
nmbg6SnhyOPiNRqdSH7jr9EPDayWSlwe64KhYp10w20JRiBZszSHFMi/aHPuI6m3
eQIDAQAB
-----END PUBLIC KEY-----`;

/** DEMO ONLY. The sandbox platform's private key: it signs responses and notifications. */
export const DEMO_ALIPAY_PLATFORM_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCym78W/q8HIUQj
KTx1m09m3nOjYYRWqC4ztTJ+Z5M2CKo7tfx+BTmhm7AksBSUmW2yzbewZNcywrnM
ge8bevhX8cCrcLUipdr6mDDtvBpy2bZH1LDGFuAYGvLRwvuxibaTyo2KZh6W2PxZ
TnYF9FS7FZgAfoc+4AKbgJlFZso1iSjMxX6X50ajJCHqkrELtN5mWaBjoaBT6vNa
4oBpdOWUHE6f95LIRuryOyz3DAtUHhHuwf4aKC27kfGbHoW1P21+Vdj6nBXFGYWy
TKiLt8WwQ956b4mCt3WXsbSBJ6nAPkoG0gigm7pchJK1Z2W3BN/oKjw70gKGpMJm
vOphy9vPAgMBAAECggEAAt48mIWI3f5xj6ovDfYE6Mv6fQDCrt/1Tfmptx0gRtlz
+MPlXnvkmKAqMr/StMgtJy/ltG/W6aCPraVwgR2qaA8gkiA1m6BtZPsvESilUnue
6uxf1YgZTrz82G14vGy2Gw10bgKE/zsgyKmMr6L9/iF/1viXlDGyTDj2cFNEPM1q
8uQW8DwmkvfiDn7+HxHTEeNCSlL91J76qAizhXOE7wToKCA/vGRxkCz2NQQp4g71
aw1Uc8j/PVx1gBuWt99CfnqHPzCrL+Y9c2gwpGuj4JrnDc5nJOTW0+jEUqLUfFr3
IKLtGSTaUDNjV922j/hoMnYPA2vQjy1tIMfOqKjBIQKBgQDsfTw33oSe/UlgXlWc
6842v3gr3c7Oy1dblmi+h8L2xuI+/e1nCbGpjD9FJRxWYSYQB6CsC+BAGqhmtcSH
wxt+GpYORnYol0iptpCHb8rzBJNWDKH411elMAnmlYJtt4sx8KE6xkQLHovfQ5Gy
VSdXS7YSguUQMs4fAKUQSAvNCQKBgQDBWApvzb+TVOLHAHQAQo2v/hR+vlXxcgAQ
qUpI/wWEtZ8Q11wI8vwdJh+3d3QDOQQBaep3Pt77jYZ5iSMCpnH6pJharlSi/pHF
fso53qdf5IS7obMQA2+lBWHisZFnbxjNdMEqqVCE2rML+cy998P/+782f4LLpu/1
ql2n+WTwFwKBgGs2L2mosHkfnPdabPeyE4/QZ9uDODGaD+WOn7fY9nNIIOOr3Me8
plWWJkzjkSA79LSJsLauv6BwNW4y84EU287koKiiGwk15JREFuu/q8NWjLETEw8s
GSjjSWnG2BWDg1BFpeJuZgSgeYrjKBcv8aDqywVDYDNixP1bHnnuH6N5AoGAeJxm
blaIgu06RvAmbR8XaklzGZm83VDDb6Fb4OuN0rrGDuh51m9WDQ0CTh4rdfM0Z3le
NaM30O75i4mcGIQiqDvTewYzcDakUvKETtNx0CUrFC2MGZo7JFOWO6eP0FmCvHBw
LB/RRf90IC1lpsAQOfke0G1893QdT0BHColOiWMCgYAzpiE14HRLygR3S7WxB4Sw
2vQwy6iikAEcnlL++qcQdPH+bPeW5l4/2CHW3Rt+3V/bx09cO7T3rEhGQu4pPMHa
nqN5bDIbZb4nR9hEJkw8+zLaQHkQbtm0a6w4PgNMJ9YCygV0BFoLT+Ll+lSgIeh/
ec0yfGv6o+k9eOiALEeg4A==
-----END PRIVATE KEY-----`;

/** DEMO ONLY. The sandbox platform's public key (alipay-sdk `alipayPublicKey`). */
export const DEMO_ALIPAY_PLATFORM_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAspu/Fv6vByFEIyk8dZtP
Zt5zo2GEVqguM7UyfmeTNgiqO7X8fgU5oZuwJLAUlJltss23sGTXMsK5zIHvG3r4
V/HAq3C1IqXa+pgw7bwactm2R9SwxhbgGBry0cL7sYm2k8qNimYeltj8WU52BfRU
uxWYAH6HPuACm4CZRWbKNYkozMV+l+dGoyQh6pKxC7TeZlmgY6GgU+rzWuKAaXTl
lBxOn/eSyEbq8jss9wwLVB4R7sH+Gigtu5Hxmx6FtT9tflXY+pwVxRmFskyoi7fF
sEPeem+Jgrd1l7G0gSepwD5KBtIIoJu6XISStWdltwTf6Co8O9IChqTCZrzqYcvb
zwIDAQAB
-----END PUBLIC KEY-----`;

/**
 * DEMO KEYS, NOT SECRET, NEVER USE OUTSIDE PAYLAB. The demo merchant's second app (大额账户,
 * "large amounts"): routing sends larger amounts to this account at a lower negotiated fee. Its
 * own RSA-2048 key pair (generated with openssl genrsa 2048), so a request signed with the
 * first app's key is refused for this app.
 */
export const DEMO_ALIPAY_APP_B_ID = '2021000000000002';

/** The second app's partner id (PID); its statements name the account by it. */
export const DEMO_ALIPAY_PID_B = '2088000000000002';

/** DEMO ONLY. The second app's private key (PKCS#1): acquiring signs its gateway requests. */
export const DEMO_ALIPAY_APP_B_PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAichNl6sagJgjSktIuuRzNt2B/oy6CYWxUvZZsHaKlA4xxujY
Xr+KARBGAWTuy5IVy7nCXM2BznHOx5QRGm+SzCVc7sP8zETd4U03/p94WeQhZZTC
krRm+r+xrPCI1J0r74PSLOEhhgrIQpod9owzhZoisxxli2HZe3eCISJ63yJn+CyS
REd6YXNiBhUj0rJejY4kBX81X3OeNuvGmo1beL4af6HX7fzxk/vbGz5d8OkNFOcX
0WCFBrfzmCXh5S2Q5vZYCavGKa2L8v3TCL7ZgjJkV9OT68inNhUGpeQxm+01tFp0
nNXb8K+GvX6vj1XSFlTmAHhVunYw1CrY+PmNiQIDAQABAoIBAAWRbzVQaF9HBrIT
bcqDvfY7KGw5krEc0og4RXKgr8QA+NkBgvD9S530YufehNn8Ot5DUQwAEB1gMwuU
u8Y2ORf/8IwDpp04sUDQJpGnLy1uzzy0MNLN8JV0lsEW7WiuO17QFHfU10579BDg
+pICo3hkPL/BR4dE+o2HTF57brzCr4NaaN9EglXBh4atBgs9ubx4Q980PW6tN5Pe
Pvbdaw3iKly6gcOfoLOFvcR2IujFOY/LLlowSoX1ZhBgSvSapBemM+bnqnXMEBxp
VYgIwLBVDf/DweHWGZui3lOImau3oK3tkJ0/MNwjpvizv/IFr4FuDp1gLIR5J0SD
206NZOkCgYEAvwdCUbb7IMeyPWdUU5ef6TwNo4rwvtu1Vyx7SlEQfme3mE8ghen0
ThNoUHa13yMhp8LLwAgJpuXVbu5VEUWh4xxVdpdk0XRGoI34mq14RxM6SnVWPH/h
Zo8vFXQ+Emu1G9CMYR3Tmws4wtMEjY64IvxCv6MwmceasqfO6qRGfwUCgYEAuKTy
7f0MA4yGfg7GixgnABnf96lgcLkh9May5/Qyr5ucyeuZrdQmYMsbB1xjDXsTGHm2
nFR3IZJq8xGwZvxHtX8DUobDIHM8sEpZE6/4KRFIleo+7yqQXKj6iLcwkLs7yL1c
EDpaDrLcrlOrH9mBQ4KBHAdGS2yIrnx6GwtQ87UCgYAFVwabkini+LIa1VCeJZbq
xir7b17bdvjSvwOTSEDVx8ByGYQnOisCI7i+xxK+chT2w5M+gvsCF1qoBzGJkhC8
cIZTElhXIpD23AEfEcpS8k6m1jDa8Bg07bu7NcymZyxg4quJ63OG2gF0MMHn0x2C
nNqg0McDBXlllRtLo9v0oQKBgQCuNWrCodIY8xfdjYFDsOjzDnaii1rjX7iq4mHf
uSWtS8uVM0WOnTAMePSqcD9Ac9Njb0qcmpC/yw4/AXyG3hWmJwzyaxVk43Tp+2up
yIgB7z2lvBneuzDzS7b9EKGwnAbe8dIPuY5Iefb+PxCgfy2XjWTVFgP7m44l2mm2
ZGnfVQKBgQCSTj95NgZQFzxegJ/uDBKQ1dydk8gJtCVV93Acu0krmsUx6a8skzqt
AcK25hcAiGka0D5fxMGz3EVpCavlvNZRL9sgqo5sGYnRF84pVHGqnxqA85kfFcWu
6wBMn9zHG6q1RMeIzYFwmhHAvL13KFbs5bQXtMW2koVaSvnjHnwgjA==
-----END RSA PRIVATE KEY-----`;

/** DEMO ONLY. The second app's public key: the sandbox verifies its request signatures. */
export const DEMO_ALIPAY_APP_B_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAichNl6sagJgjSktIuuRz
Nt2B/oy6CYWxUvZZsHaKlA4xxujYXr+KARBGAWTuy5IVy7nCXM2BznHOx5QRGm+S
zCVc7sP8zETd4U03/p94WeQhZZTCkrRm+r+xrPCI1J0r74PSLOEhhgrIQpod9owz
hZoisxxli2HZe3eCISJ63yJn+CySREd6YXNiBhUj0rJejY4kBX81X3OeNuvGmo1b
eL4af6HX7fzxk/vbGz5d8OkNFOcX0WCFBrfzmCXh5S2Q5vZYCavGKa2L8v3TCL7Z
gjJkV9OT68inNhUGpeQxm+01tFp0nNXb8K+GvX6vj1XSFlTmAHhVunYw1CrY+PmN
iQIDAQAB
-----END PUBLIC KEY-----`;

/**
 * DEMO KEYS, NOT SECRET, NEVER USE OUTSIDE PAYLAB. The second demo merchant's app (Demo Books,
 * 演示书店): a merchant of its own, so an app and PID of its own and its own RSA-2048 key pair
 * (openssl genrsa 2048); neither of Demo Coffee's keys signs for it.
 */
export const DEMO_ALIPAY_BOOKS_APP_ID = '2021000000000003';

/** Demo Books' partner id (PID); its statements name the account by it. */
export const DEMO_ALIPAY_BOOKS_PID = '2088000000000003';

/** DEMO ONLY. Demo Books' app private key (PKCS#1): acquiring signs its gateway requests. */
export const DEMO_ALIPAY_BOOKS_APP_PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEAp6E1bQYcJlyMDfdsDgp6rYmWO47GlgZByZxzJ0ueoh7noFKS
5j9tgu8y67grtk/crBQ2DXY8BEsuYWgQXw+M8nlkt4wzh0kRwJwFmZlzOpofSHwz
iu9QvM7FKQrttjUW35fWAhgKbLYEX4nHAve8FNKGCfPthSHO2CY95Xj0kvf6omuS
4Xmp7jELujzmZH6F0n0ikJ4hkvAQBLpzZRaMS23xhAZlPyWn8cKe94Ixqpl3Vwkg
Hhu+CF+Fj+igZIhXSDNqU33+cToHCtdiw56a9U7p2R3dkl04ho4AYtyjFIY/fP3q
W4SvrVbPqz6y53lqFwlcf/VgPBjfRmRtguEENwIDAQABAoIBAAJutW7Cku//kcy2
FWxSvJr+Dx8IIFuW9aduTMF6OHAT0Lqj2BvdOcKXo/6FqqS3nfUlSe+CErbhPGgP
cYVfnWT7W/nJ4AmLhuVrni0va9ui1udfXgQbGunSekvxK6fkN1PBSUq4fJY9Qez8
+9VQMPuAXo+QaZbv+adrTqSgz7O+PXJGkx0J1l9/9sZfSC/um+HQQRGs5+GVmLFu
/eiJbPKlmd1d+xvVZGB7DIcsawMH1fj6dbSGTDJeDr1+AWe+GZjOjBlT6/nqgJB/
ZSiPy6gIt8fy/o9Icpdq82m/tU2MWjd45FTvypQ1FxkGNQZJ1E18qgRz8mEiK9Sl
RirkLZECgYEA1EDlM9ZjgUs2b0mkfCFQJxYfewol8/aIzi+w9/KqeLvvWEs8huTD
otF2Fu80I6k167UrnvagHXnp5s4+SWqvWexuyJBUaOK+yngmvN6laxXCBiqNbZGm
Uq+xdqyj5ireeUyNSdj3hTvBMU4+gbUbemgxwJdZ7HjsIQEn51LK14kCgYEAyi3V
rXtaJzMsm0XHX2/r7hm8+rlaatq6F9SVXoBUhsEloMSKNii3kN7FZT87+BSK2Ku1
eveQ991DhZLlDQQ1xNqElwdDE0/mg6Oo7yA1KGG82uNizq7g7N/eMtgbYdt7JuAx
JpzmIQW6amD033+p9UA2xEFzHmhPNZIyWGGGTb8CgYAxDZZq9n8koGdCLPjQnzpQ
7jH0U5IV4cIYNLlndDOll3lnJGwmmLQF6vapsjqQi0ik4sfkAwdaCJTf/IY0nW1N
EPFBdOmtG8oQLNh3CdWc+/hNSIRK8EBKF8ShsqBmTz3/NovopzX9GqQ5auXTQDHL
hk0JP3FOz1ty/TtloKK0UQKBgBwLnZ9yBAB6Dc8AL/biLKUbtuZEvfEipDvYBlxU
iuUid9jESrPWlBgpftJbojL4joYd04/aNabcb5hg1xsmIVtMQKY+oKRWKhDKrA13
t0gBvtPSRQuMoLDbIRSGe83oRz4OTWMg0p90Dvbgujcim23k2XQB7DkkmRBCVm+C
H8I7AoGAQwylxJX9kuC9xWHwN97LfMEHnUtbTZmWksq5CebSbIfy6jjRPZa3Ukon
p5J9hGkD+qY1l92oRTlNAm05WAKwUOM4DsdHnIn7MQ2I1FQ8d2R6cKpZTnt6Ml/t
ZAE0XLvnqaAGz1yQ9aZ9jP4cAirkkprDo/mJXKc7SAfNZVRGIJA=
-----END RSA PRIVATE KEY-----`;

/** DEMO ONLY. Demo Books' app public key: the sandbox verifies its request signatures. */
export const DEMO_ALIPAY_BOOKS_APP_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp6E1bQYcJlyMDfdsDgp6
rYmWO47GlgZByZxzJ0ueoh7noFKS5j9tgu8y67grtk/crBQ2DXY8BEsuYWgQXw+M
8nlkt4wzh0kRwJwFmZlzOpofSHwziu9QvM7FKQrttjUW35fWAhgKbLYEX4nHAve8
FNKGCfPthSHO2CY95Xj0kvf6omuS4Xmp7jELujzmZH6F0n0ikJ4hkvAQBLpzZRaM
S23xhAZlPyWn8cKe94Ixqpl3VwkgHhu+CF+Fj+igZIhXSDNqU33+cToHCtdiw56a
9U7p2R3dkl04ho4AYtyjFIY/fP3qW4SvrVbPqz6y53lqFwlcf/VgPBjfRmRtguEE
NwIDAQAB
-----END PUBLIC KEY-----`;
