/**
 * DEMO KEYS — NOT SECRET, NEVER USE OUTSIDE PAYLAB. Generated once with node:crypto (RSA-2048)
 * for the teaching sandbox's simulated bank-enterprise direct link (银企直连). A real enterprise
 * generates its own key pair and registers the public half with its bank (often on a USB key,
 * U盾); a real bank's signing key never leaves the bank. They are committed so that every
 * checkout signs and verifies the same way without any set-up.
 *
 * - The enterprise client's private key (PKCS#8) signs every request to the bank
 *   (X-Bank-Signature); settlement holds it (BANK_CLIENT_PRIVATE_KEY). The sandbox keeps only the
 *   public half, found by the client id (X-Bank-Client-Id).
 * - The sandbox bank's private key (PKCS#8) signs every response, statement and result
 *   notification; the client verifies them with its public half (BANK_PUBLIC_KEY).
 */

/** The enterprise client id (客户号) of the PayLab platform at the simulated bank. */
export const DEMO_BANK_CLIENT_ID = 'PAYLAB-SETTLEMENT';

/** DEMO ONLY. The enterprise client's private key: settlement signs bank requests with it. */
export const DEMO_BANK_CLIENT_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCyP5JB9qjUKOCU
PaMvXOXjSHJ0I2cI+rh8iwFtiVocse5HbmjoLX0D0p7CmpNBKwpI/gRKt3e8v+8u
NNnjlkcj4Zj947IPid7btkmj9IV7WX9Js7hXGNb7x/LNNLF9RRy5HLJyEEOffvjx
3JdGGOhv71cBeicm56O9t1TUCZ+doQ1G0F0NdaDrThuix9Rith/rhSrgJ6Hy5R8l
+YqTwMUSjQvcvF4+drwRsCPwxWPSDB+dPXmmA2JCJUiQwufgFn4F20QQsA1cXail
a+sjAYxvnxuB7tqtA6x7unUGUsOmbATqRjv70LWWOdcU7npzto2YK3xDabkkYgLr
267zGt8rAgMBAAECggEAPUOGRG+/tTPbhHfu5295f/W9iNdGKZrq37tzIS/NLgGl
0R1Mp0hDKJYyhNZV+FcPsOjFltyaJeCeF3aI0SUsjFOUnuaso5SSaVes1dJMMoof
Kri/igf6lA00EX2j51diuOj5GCUo6N/eNlrID4quERLlB5fxbvi8mY8yc7JfDvDh
qJcOT4WXqner0GU5xfzMigPEq/opee4IQP3f2O9GT4v+1KYNAZ5RGZWoYX0zlqka
G7Iz4e57ewtdria5wBsKH6Qa12OTlUUVzgR2r7X/bbB7U07BJcEo/Cyhmv4SszNX
AGSXspQomQczElc99ipt0J0S974Nd99zlIJlBAKWQQKBgQDiEqBYtJxp5x17hE4X
5ihiVNp/gf9uel+7CSaa2neVoZtQ6k1tWdgQfA1Htka5zLQ26HMJ9h4dkpRg7S5n
VZzOWGdqjvt+02H8/QZtk1jE579Z/vSrDJNCnljc3b1bUiDo/luQBqfsZnz1LpuP
Izh0utS5F+H+J9Q9WZ3AZe66ywKBgQDJ2DlZUVZU6tpq6BqtHlGXGM42N/6oAguC
VQ6pgCyzkw8X8NIj0vRmmWOxcsqGkCwWbjWr11+8Bnc5BNmL6HHdSh5YGPKt0zlZ
LgNyWmfiAPWZfGhGa18qCMcZWbgElepSN0WxtNtgN0CjMSjr6YItbHYldTujaoM1
WRNUTI4BIQKBgFl2w4u3Fbr3IfyyU/EzPMIFEF6rRDklJmMu8N8RG4fUZ1FzF2bx
ygZkASFi6cQ3VQ3xmSzU///19NASrG1qPN6Pr4VExhPfdQSX4QZV7CgoCdqEgbB7
Dn+riEEHYxsTekCaAAQUDjoIKOUiJ59ScdIH6YzB/cYFXwFUSJBOBlZXAoGAH45k
eOhUfPYyq6AZ+5LP4rWIF8XtVErtjbTKlAlr8688HtwRnnQurZOxmF5/90W2/tLA
JVuIphbEsO9nK45trtEVqWRNHIv3XU/qTgiAUT8hJpvimY/T0viIWBhEwsLFXZEy
njPOUF6TBnB7G1boeT2JwxVu+399f+urL/TABsECgYEAuxnUFauhJytNLP8d0JIk
tuSdHHixnXffpy/Jf9VjFUfVflAozO/wwlrzswFTK+a7Gx2obfzj6S2Rxnr4/8mH
XNJq5TaHP6YMG0c6zV2Y3ERrbexrRIJFjInjfvWCjzW32JaWg7d7ixVu+cINqhUO
88WFrEeouE0lRUGFRxASQqA=
-----END PRIVATE KEY-----`;

/** DEMO ONLY. The enterprise client's public key: the sandbox bank verifies requests with it. */
export const DEMO_BANK_CLIENT_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsj+SQfao1CjglD2jL1zl
40hydCNnCPq4fIsBbYlaHLHuR25o6C19A9KewpqTQSsKSP4ESrd3vL/vLjTZ45ZH
I+GY/eOyD4ne27ZJo/SFe1l/SbO4VxjW+8fyzTSxfUUcuRyychBDn3748dyXRhjo
b+9XAXonJuejvbdU1AmfnaENRtBdDXWg604bosfUYrYf64Uq4Ceh8uUfJfmKk8DF
Eo0L3LxePna8EbAj8MVj0gwfnT15pgNiQiVIkMLn4BZ+BdtEELANXF2opWvrIwGM
b58bge7arQOse7p1BlLDpmwE6kY7+9C1ljnXFO56c7aNmCt8Q2m5JGIC69uu8xrf
KwIDAQAB
-----END PUBLIC KEY-----`;

/** DEMO ONLY. The sandbox bank's private key: it signs responses and notifications. */
export const DEMO_BANK_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCelCxyP4vNseeB
FHrYQzSic36k57Mw/272INVYZUVCe5JVDa7XDC/2PYAHvUC7skka/hfTlvfDlDBE
3zGQTPkg95sxquV+tZKW3JsByVatDaq9Z+eZWfk9CNI0C8g5AAUN4Z1ugxJJcaXJ
DB3qMl5SfF3fEso34K2lYA+BNHHky4uJov82K79AoTMCAw5jaWfCevaN2QX2Yh7k
RD8sgzPVj+4vuWpd1PbbCB1i7GhD13Y1nGkvFEBV4ifN1KomPh4r4rrAylYeBvDc
T4ZC61ZEgCKth9f3bUIbmroQsR7KYomIXua5MrJqRtKgwTXFID29FM+oOo6YBKn/
RdtEG7J3AgMBAAECggEACFjBPCQ3HhUKm+Mxkhd7ej98/34IkwAm3YKd6CCwdA7g
BWUKelw0XBAhoIaoFRkNuwN7ypHMKbmvjrh2ueMrS75sp0EZAkHZXOJwsDfiPYqW
HZEOAibXtQw1UDL8j29+VJw29p2khUQbl0jxfCW5jDrqj/bDuQw055r2RfU2N3Yf
9CUL3bHeAqMSS+9AS+UZEkPFp6sTxlNWcgnC+JCJkE3LNi3VQfya7t4BnZ/dw8lK
3/g0Y/zKtlY1tSAA1AAjCoFeZHmo39mdR46zF8FiDul0Ocw9iPQtL+BbuF61+TYM
zV0GHoWDdaGgLiLa6uOStn24hHYF2O8SeaT6lx/GiQKBgQDZ3CRXX+GK1fvwrFlL
ZXZp24HKZwxHvhdOZdPjOF7BsQkJls9I6Knkv2JVvPzlG0brA0+bkOknCAuKcrak
/sXm4xx+k+H9qC1pULrihS9e9DSrNh4SRAvh+ErUvoJy/Wt3knNVkrmxizSMX5dR
j28fltKH9ihVFInAIREadKD0nwKBgQC6Vzir3SMnNMwm6YfBMzSP5AQy+9AWPpeR
fufqre+ForNiBTngwbrUGsLydbKz1M9th1fMFQuLEGUtAjsUCKLsPmQh11Xb5FrM
z5lXTe7j9YfUSf82wDQhwec/U0N2aOLiD+hqCUv+hdw5SOqVTXDg2B3qLELPzKkn
yICCBKBbKQKBgCkH7BREq57RVGTsoNixYE7pl5U+OTLd21fZl8GIoVgLdq9Gpv2N
TEoXvXZ2ZI7lx0KF2h1rem3udvX5SuriTPWCOqCgS4TRgtP972SwPs68YZsJUzqP
dEl30OgmhT0Q+4eGnpA0VSLaG+iALGihAgXKCxauRsRXXOZBlA4Ofy3zAoGAEeGm
1Y89/Vgqsx074sVYKOq3oHDbshbFkre756BTWN6ZGjHoMPJGTG5ZAM1cnbcxRJB1
U2c9mVW0b9JD+xMtF0CReVHhsl1CfV76lw8qeoOoSi3jqMxe9FJYL5J86dL82rau
FebYfQ85Z+HgaP1qdJkonb0rmCdKoD+0XUW2YakCgYANlY9gmWbbixdeaBk+Xp1A
dSh+ioOyKkkMchgl2t5P7omwXDwV1C4GrvSEK+r+Zdjl7qJIbORIsCkNdeCKtED1
h9dkm/BOG2xY0JV9skimLJElXEq4hwcTuX3B51c6XeAdt3Gspc2onAwpZGM+rEYd
9glu07JxzBuQpZRnsS9YAA==
-----END PRIVATE KEY-----`;

/** DEMO ONLY. The sandbox bank's public key: clients verify the bank's signatures with it. */
export const DEMO_BANK_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnpQscj+LzbHngRR62EM0
onN+pOezMP9u9iDVWGVFQnuSVQ2u1wwv9j2AB71Au7JJGv4X05b3w5QwRN8xkEz5
IPebMarlfrWSltybAclWrQ2qvWfnmVn5PQjSNAvIOQAFDeGdboMSSXGlyQwd6jJe
Unxd3xLKN+CtpWAPgTRx5MuLiaL/Niu/QKEzAgMOY2lnwnr2jdkF9mIe5EQ/LIMz
1Y/uL7lqXdT22wgdYuxoQ9d2NZxpLxRAVeInzdSqJj4eK+K6wMpWHgbw3E+GQutW
RIAirYfX921CG5q6ELEeymKJiF7muTKyakbSoME1xSA9vRTPqDqOmASp/0XbRBuy
dwIDAQAB
-----END PUBLIC KEY-----`;
