import type { PaymentMethod } from '../payments/domain/payer-agent';
import type { PaymentOrderView } from '../payments/payment-order.mapper';

const METHOD_LABELS: Record<PaymentMethod, string> = {
  ALIPAY: 'Alipay 支付宝',
  WECHAT_PAY: 'WeChat Pay 微信支付',
  UNIONPAY: 'UnionPay 云闪付',
};

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function yuan(amountMinor: number): string {
  return `¥${Math.trunc(amountMinor / 100)}.${String(Math.abs(amountMinor) % 100).padStart(2, '0')}`;
}

/**
 * The hosted checkout page (收银台页面). Server-rendered and script-light on purpose: students
 * read it as HTML. It polls the order state so the page follows the payment to SUCCEEDED.
 */
export function renderCheckoutPage(
  payment: PaymentOrderView,
  options: {
    methods: readonly PaymentMethod[];
    qr?: { method: PaymentMethod; payload: string; svg: string };
    error?: string;
  },
): string {
  const methodButtons = options.methods
    .map(
      (method) =>
        `<form method="post" action="/checkout/${payment.id}/pay"><input type="hidden" name="method" value="${method}"><button>${METHOD_LABELS[method]}</button></form>`,
    )
    .join('\n');
  const qr =
    options.qr && payment.state !== 'CLOSED'
      ? `<section class="qr" id="qr"><h2>Scan with ${METHOD_LABELS[options.qr.method]}</h2>${options.qr.svg}
       <p><a href="${escape(options.qr.payload)}">${escape(options.qr.payload)}</a></p></section>`
      : '';
  const open = payment.state === 'CREATED' || payment.state === 'PROCESSING';
  const closedNotice = `<p class="closed" id="closed"${payment.state === 'CLOSED' ? '' : ' hidden'}>This order is closed${payment.closeReason === 'EXPIRED' ? ' (expired)' : ''} and can no longer be paid. 订单已关闭</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayLab checkout · ${escape(payment.subject)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
.amount{font-size:2rem;font-weight:600}.state{padding:.2rem .5rem;border-radius:.3rem;background:#eee}
button{width:100%;padding:.8rem;margin:.3rem 0;font-size:1rem}.qr svg{width:14rem;height:14rem}
.error,.closed{color:#a00}</style></head>
<body>
<h1>PayLab 收银台</h1>
<p>${escape(payment.subject)}</p>
<p class="amount">${yuan(payment.amount.amountMinor)} <small>${escape(payment.amount.currency)}</small></p>
<p>Order <code>${escape(payment.id)}</code> · state <span class="state" id="state">${payment.state}</span></p>
${options.error ? `<p class="error">${escape(options.error)}</p>` : ''}
${closedNotice}
${open && !options.qr ? `<h2>Choose how to pay</h2>\n${methodButtons}` : ''}
${qr}
<script>
  // Follow the order until it leaves PROCESSING (the channel's callback or active query decides).
  setInterval(async () => {
    const answer = await fetch('/checkout/${payment.id}/status');
    if (!answer.ok) return;
    const { state } = await answer.json();
    document.getElementById('state').textContent = state;
    if (state === 'CLOSED') {
      // The QR is closed at the channel: take it off the page.
      document.getElementById('qr')?.remove();
      document.getElementById('closed').hidden = false;
    }
  }, 2000);
</script>
</body></html>`;
}
