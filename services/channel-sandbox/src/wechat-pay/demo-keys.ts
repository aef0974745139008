/**
 * DEMO KEYS — NOT SECRET, NEVER USE OUTSIDE PAYLAB. Generated once with node:crypto (RSA-2048)
 * for the teaching sandbox's simulated WeChat Pay (微信支付 APIv3). Real merchants generate their
 * own key pair and certificate in the merchant platform (商户平台); a real WeChat Pay platform key
 * never leaves Tencent; a real APIv3 key (APIv3密钥) is chosen by the merchant and kept secret.
 * They are committed so that every checkout signs, verifies and decrypts the same way.
 *
 * - The merchant private key signs API requests (Authorization: WECHATPAY2-SHA256-RSA2048 …);
 *   acquiring holds it. The sandbox keeps only the public half, found by the merchant serial.
 * - The sandbox "platform" private key signs responses and notifications (Wechatpay-Signature);
 *   merchants verify them with its public half, configured under the platform serial
 *   (wechatpay-axios-plugin `certs: { [platformSerial]: publicKey }`).
 * - The APIv3 key encrypts notification resources (AEAD_AES_256_GCM).
 */

/** The demo merchant id (商户号). */
export const DEMO_WECHAT_PAY_MCHID = '1900000001';

/** The demo app id (APPID) bound to the demo merchant. */
export const DEMO_WECHAT_PAY_APPID = 'wxd930ea5d5a258f4f';

/** The serial number of the demo merchant's API certificate (商户API证书序列号). */
export const DEMO_WECHAT_PAY_MERCHANT_SERIAL = '236D41C926EA33D0218A22553C89C4D7C1B188AA';

/** DEMO ONLY. The merchant's API private key (PKCS#8, like apiclient_key.pem). */
export const DEMO_WECHAT_PAY_MERCHANT_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC5ZzxFhW3miayG
/D6qy+VYo9NJWFz6za7XJ2z8fuCS1Sc0FnNmgs2SWlhqUdwWry/fqt7r/AV5xpid
C31+vYOOSh+XRgXP4oehFvsvYFqrI266755EqUR/CUGwsjazvL8S5Wu0jrH9a3h1
wS9SmM8Q3xDmzetXkmojUAaUqTi013QR2mW96rj2JdXxooL0fDf/7kg5qOZkI6Av
vjRasIYVm7bivQaUBhpZQ5RCKN9Jcjlf5qFqYN+izwHNioRWNbpBXy4C5EkFKOkZ
GPxf4/rUGO9QozqrA1NJ9VMbD8h498SHNXmtLrb8wBN7EEKcmcOfWU5AEXeF5MfU
bJZFktbVAgMBAAECggEAAR/OIfT8+J2As7gKptbiE724+N3igNoHo5Una24j7UZo
aXMLzUuHwZZvDzeV23fBrsKGsLmjf6lW0/go3g1G8Fe+Un8bM+qBiTy7CZhOlHEV
9jSgkHWfGhuzqUWhxuJv6izRkJO472EPQIkkwOrdfpJ+5yQvUPJs8FZHSlZIWlhd
dUDsZMSJf7Ny+kL3jQeTYSGnpHKF9Czo18MOtL0QqN64Lf0eK3bhd7HSsA+9eLY9
PWPkwl/Vn3KfQYE8IqUyS6epk7FgCcM8Xq5JV5iMOmGqV3ObmQoTXDhUhbGPVaXq
uTN9jWJeNWFPiZHVMWzdiv1+Ad8DyKFyB294q7NB9QKBgQDwAexDSTCSNPrvvaoW
XAivC4eMecpT124MDVg/B2eLdgTNHviJDyLMz+gGl9Pz3mRW5FLQOyM4RE06nqk8
oLkgD7oAGNlSXlZ7801gmYi+xX9gB186nqnuR+S3m5VWJO4avtAbt7Ib/Gnh/0x4
JAzPC2nZ9AQ2TlvHJ1v6OIyEzwKBgQDFwd3e4u2DwCufJGqx6YmPdNSFDnt+5xzE
BA6QD8r6Jl3vXSZu+M8ehtn0S1xOde8fqVuMNnWzK1RcS41hjbhKzAUDjjZtF+TD
x7UtDObACDoDCSMdZI432nQbaxGvAWt4GrbSgjqEOwKAibLO8VzKaYZ0ECDNfdyU
ZoavZREbGwKBgDKplT/W0UPrnxTASokRwFuC6YgDpWvxS6+LmZckbv0HWpgZ84ir
A0OMl4PcxMbzqOaWp8yAzzxvXoYDO+IqYymbaD3hAO7cLxFXGHxNrInokqyoobd0
Cpbb4jHHy8w1W3WV1cQkEJrLu2YTSAcMRQ/nbt6tHb6A5+qwKkA1c6QNAoGBAK8A
nON9VkrdaLzwcSr4TC+TZ+5Hnqnyw9YC8RAzqaAtC7ujZzuVG1UcaQxzFECqxO3z
5XvzRb1EfuceRQMrcwdd/KHk2+02088dkAtJ+3m8zfmZwGVmcySiQVVyLrf8PaqP
mXI4pKgXwGMXeBECLudA8ycKjrzKwMTi5hWZDsY5AoGBAO6Pmia0ESJgVtGvc8aJ
N/Tvnr1BcmmZE/Jg9FgG9eVo/Xs2YnAlLpGVfdbThuiigmMSZ3qJmjgw6FWeOE/v
BbK9SjHegN6VptH2QgvbZwnVfJA3wVAc7OklExSWoFkoMCvb6AIGj8LGvZ75jsu2
qqajDc5B1pstHnUu+dJ8Aq8X
-----END PRIVATE KEY-----`;

/** DEMO ONLY. The merchant's API public key: the sandbox verifies request signatures with it. */
export const DEMO_WECHAT_PAY_MERCHANT_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuWc8RYVt5omshvw+qsvl
WKPTSVhc+s2u1yds/H7gktUnNBZzZoLNklpYalHcFq8v36re6/wFecaYnQt9fr2D
jkofl0YFz+KHoRb7L2BaqyNuuu+eRKlEfwlBsLI2s7y/EuVrtI6x/Wt4dcEvUpjP
EN8Q5s3rV5JqI1AGlKk4tNd0Edplveq49iXV8aKC9Hw3/+5IOajmZCOgL740WrCG
FZu24r0GlAYaWUOUQijfSXI5X+ahamDfos8BzYqEVjW6QV8uAuRJBSjpGRj8X+P6
1BjvUKM6qwNTSfVTGw/IePfEhzV5rS62/MATexBCnJnDn1lOQBF3heTH1GyWRZLW
1QIDAQAB
-----END PUBLIC KEY-----`;

/** The serial of the sandbox platform certificate (平台证书序列号), sent as Wechatpay-Serial. */
export const DEMO_WECHAT_PAY_PLATFORM_SERIAL = 'B78DA4343CEB22389FAC6435F4EDD8C93DD77BA3';

/** DEMO ONLY. The sandbox platform's private key: it signs responses and notifications. */
export const DEMO_WECHAT_PAY_PLATFORM_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQC4Op3DbJtpjpt1
xJmm9GujI+jSHhrARPZN3M1p3elunhRAt6xcuHwIaSx3WMBH1GkmoHA1XHsAMtmV
zd1Ft4d86d1sQCvuQB38xycObff8rLe/HncPQCx5+etxZxLVYrTB80yzAzv/xIxN
RAGa7/SEiB7fFbmchKWQKR2sVsRlAvaVxSj5xznAsJR5rpjSyeiruH+cOpcERk8/
u1KXMsBHrM8EFsBECLOfP0O+UJtikDZwzdsVva+JA2afZC6UkgsHJrPoe5/4u45j
TexBjdxLZedql2qFEDbbaYuvodtQgh1Dl0p0vIYS/UBHjxQ2HBkjllrkllQG58Oe
aUGxBev5AgMBAAECggEAQMnAZJMDvqX7rvliTdAEMH226XnTz40RD4XYqWP0rUWj
erT9RShN2klebWRFTp15Ey/19hYdXY8EbQXWTKfD2p6GE4UnzeQ3h4dkCVOMFAyL
nAczOKZJXeYRsjJc8bUCO3j8HrJC/eoZqyyA4gOD+r3CGZMS0OPnM6D6AfsLmzfL
6duRcEV1sWTjmwtQhtdGPBODeqbv/i5yGjUyJDLhIEYXGk3S7b5kkxs7+Xth8IEU
VTp3ar3slNSgxzmK9dtZVgeZ0gwm6BWsxKQy02zwbqGiFPqLcdFZUg/AyotkhjzI
feDhmx8XDsWcm/wCqX++w/opliTTW1rUY0WkCGgTpwKBgQDpbioJnxPqYi9NQRAr
GCLwXqTgHMvWRe2W3thq7f0Z/1J1xge7Z0Z1/UMg5r4s6iCcJnPsvjCwGcQMZFk+
sDFLhgoWYbkMGSsHCU+kKpoONdarTcr8drSTKvnsDU3QWXhPLCq2V5Ybu3xrz4Vp
bA03C5ZPJO+LsT/AYDCFm/P9/wKBgQDKCqBvIrsbnvdoC2gcuG1o+LwUJZicIcU7
VB1ulydzV4o+2LymFj31QwpH1UvqnViP361YwUpTtyTatQWMQkyp37QzdCfDCeTy
g10P7cS0jBvs7+DhMT5MJBNJ4YRMb8o+00JDxfiAJbkeVpYR307MXt3mlzXHyzuN
A4SoFpoGBwKBgQCj8H3Pkgx/oQNNg3NigKoRHLc4uqCh1Sy+t7VQq+IE/x8fnbvS
bv66YOtjUQqhKrFKWWszCoPROddJSLSw5TdJrlKpU2qNx6NDZtOrHUxizIb+ej0k
QA4kCZvKn7FVsXBgUkmRFERVJ8CDSxSMbJl/XkDrRqqB9jMq3aNWQqgCawKBgQCz
6N6P2AdxQw7f8ThWSsvya3tfHVNVxKSSfgZvUd3pUYxjBjCGXMvzOC1RZdfiJRaV
lwIPRJ9hCHai4gr8qJUHt5IJN2eov4jFgsA9zOYaN6EuTTScknL87irW4SAjyG/5
nbkmDIWJ5w1+vG+JnqXWSquiCAf1zz1KBlX8L5QbxQKBgQCNxqFqiSoIXADeGlxL
RBQQI3TRb2g3UkPmxTRcZngNFIe3xVbKGKMA0pTesAZ60JhgME1za0GW820W56Od
uPWu5p19xgg6c3VyWI5UtVEMAX04K94dOxd2CHF1iVEBCC5H0fDyJBeNZA4XzXZ1
FvHVP8SmYTJ1yVjon/GmVN5OxQ==
-----END PRIVATE KEY-----`;

/** DEMO ONLY. The sandbox platform's public key (the merchant's `certs[platformSerial]`). */
export const DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuDqdw2ybaY6bdcSZpvRr
oyPo0h4awET2TdzNad3pbp4UQLesXLh8CGksd1jAR9RpJqBwNVx7ADLZlc3dRbeH
fOndbEAr7kAd/McnDm33/Ky3vx53D0AsefnrcWcS1WK0wfNMswM7/8SMTUQBmu/0
hIge3xW5nISlkCkdrFbEZQL2lcUo+cc5wLCUea6Y0snoq7h/nDqXBEZPP7tSlzLA
R6zPBBbARAiznz9DvlCbYpA2cM3bFb2viQNmn2QulJILByaz6Huf+LuOY03sQY3c
S2XnapdqhRA222mLr6HbUIIdQ5dKdLyGEv1AR48UNhwZI5Za5JZUBufDnmlBsQXr
+QIDAQAB
-----END PUBLIC KEY-----`;

/** DEMO ONLY. The merchant's APIv3 key: 32 bytes (UTF-8), the AES-256-GCM key of notifications. */
export const DEMO_WECHAT_PAY_APIV3_KEY = 'PayLabDemoApiV3Key0123456789abcd';

/**
 * DEMO KEYS, NOT SECRET, NEVER USE OUTSIDE PAYLAB. The second demo merchant (Demo Books, 演示书店)
 * at the simulated WeChat Pay: its own 商户号, APPID, API key pair (openssl genpkey, RSA-2048),
 * certificate serial and APIv3 key, so nothing signed or encrypted for Demo Coffee works for it.
 * The platform key pair is the sandbox's, shared by every merchant as at the real WeChat Pay.
 */
export const DEMO_WECHAT_PAY_BOOKS_MCHID = '1900000002';

/** The app id (APPID) bound to Demo Books' merchant id. */
export const DEMO_WECHAT_PAY_BOOKS_APPID = 'wx0b00c5d000000003';

/** The serial number of Demo Books' API certificate. */
export const DEMO_WECHAT_PAY_BOOKS_MERCHANT_SERIAL = '97043D1B2FE4FCF2ACF6B423BC57D0B393A05D71';

/** DEMO ONLY. Demo Books' API private key (PKCS#8). */
export const DEMO_WECHAT_PAY_BOOKS_MERCHANT_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC1sl1WFaZcypW9
QNITkz5YJVoEp2Qu83NUkzuZanrg4QGHCrp19ZVU56sNTDZg767w+qpNJwq/6jcu
dn9Q/qGvItzfbngEmImXO5nc8rNFKb6f7zPRCZN5etrL9rpqcKELhCfJ2t0b4HNs
I7O7lU2xi4ZACvI0hEl76juyDUrR88fa6/9WMXLbJ38G823VXzKqV2NnWVLNqnJP
k1BvH+rXwUMmddgWkCARgcfJXpT4oNIh/7x8CBsE1JGhWaUi4OH+SYl5kH//dbj2
asI0PQWaAwbtEeqNDT46XpHl74YIBbqKVKldUsimww7q0JCILOTeRLFhzGHeU4nh
JMDegW2RAgMBAAECggEAEVPjRtRluy+uvA+0eR1vsqRNQ2hbS4b4Fra71lOrSErt
BF3njlxPU3uMeoYsIW56No0RNK5mfgruHEY8uhKuhK9EdSJp27ZYWM3cTI/wvMXQ
YhxDysmpAMrQlub+vCvlj92Ylc2DjKcJGuUEvPzuHeJ6eR0SICQFhgW+j6po2kDG
EVAtJ3khlnFozyfgTamw8ndBdgenlB0fKF+KUQI6lITLqURLBx7E4NemKtnDJ5Xq
dTEBDemRrYcfMRs9nBcaBk0LrgX2m6bMjaUWBcv2hJhojYpd1eJ36bYae9b9aS4L
yQNDEEOtSTGbt/MrCFjirUnAXuy8hf4UlepXUv7cgQKBgQDvKfCg+RjEEm8ZkBZC
16Lxont65N1yrcQlOMU9Z1n0sMAusHtwXUH9UP/K7Hdots+4IjlKXQy20TEKkbnT
6gxh948DcmcsQLmtTuCyu9GVjuUSMCL3tP3vxryCTJoDQgTWYFPaxIlbd0SuKFWA
5+Ng+s8E/vy5nIMOyi6WC6VH+QKBgQDCfMnzouFs2xyIgL+I+Ob9xJgp1Ea5tq+G
yA0f3ouRxQ2wMC8mSzaK+FsIzYFDoYmVaD7GtPO1LPhy+zVftVHARqoO9FWet7a2
W4hFlVaJAZOLzPO5vEbGSxT8mIlQoac7M6B3Sh0A2gO00+SylbkMXDEzxaSr/txq
3qUEBVCoWQKBgQCWuhDb8oFIOPHp42QUNkCMFsHJfumNd7PxXWj5POR1kNtd0X3K
IAwRsPW0lvjedrBMtMz0b9YudYJ5zcOWqZ+qMlHgcz5Qpm4eqmJ0YmhA4HC/2LSA
9oE/lzmAyPQbb4UK8mSGsGx8x5ryQ5s3hW1I1miYFneCJwB11rgreiVtSQKBgFii
HDsvUMKWPLOs0R0wKb0e2iW9+xlpuyaWhvyuJDcjcbCI1QQDpPDCbGJfnXhf5t6z
KmDOWH6J5xQnjdR3QrF4wsmb6mUx3k/O+RSVEWHQ2RgOKEjOGAcIcqEHNxULBraB
ObEDkqIvuR6wrnoAp9uNLFMm0Hwd4v/FRbjGX1LJAoGBAJL/1tdz7Fb2C3Cg4t/a
YX6nKrGrP7cwjDu/O+mtu8dqR7LGnvhv9AR1id+6h1E5VPjDv7cZacuTgJDQRt5n
7nEIK8q8x+L90rzqFkPfQuLcLR8UVb/nDezfnyOv8SxPk4cZQt5m7zgx1spVwkNX
aeAdYqM79RekC99AGd26SN7f
-----END PRIVATE KEY-----`;

/** DEMO ONLY. Demo Books' API public key: the sandbox verifies its requests with it. */
export const DEMO_WECHAT_PAY_BOOKS_MERCHANT_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtbJdVhWmXMqVvUDSE5M+
WCVaBKdkLvNzVJM7mWp64OEBhwq6dfWVVOerDUw2YO+u8PqqTScKv+o3LnZ/UP6h
ryLc3254BJiJlzuZ3PKzRSm+n+8z0QmTeXray/a6anChC4QnydrdG+BzbCOzu5VN
sYuGQAryNIRJe+o7sg1K0fPH2uv/VjFy2yd/BvNt1V8yqldjZ1lSzapyT5NQbx/q
18FDJnXYFpAgEYHHyV6U+KDSIf+8fAgbBNSRoVmlIuDh/kmJeZB//3W49mrCND0F
mgMG7RHqjQ0+Ol6R5e+GCAW6ilSpXVLIpsMO6tCQiCzk3kSxYcxh3lOJ4STA3oFt
kQIDAQAB
-----END PUBLIC KEY-----`;

/** DEMO ONLY. Demo Books' APIv3 key (32 bytes UTF-8), different from Demo Coffee's. */
export const DEMO_WECHAT_PAY_BOOKS_APIV3_KEY = 'PayLabBooksApiV3Key123456789abcd';
