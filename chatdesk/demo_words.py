"""What is said in the demo tickets: the topics clients write about and the phrases of
clients and agents, in English, Russian and Persian."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    code: str
    type_code: str
    canned: str  # the canned group an English-speaking agent answers from
    texts: dict[str, str]
    priority: str | None = None


TOPICS = [
    Topic("order", "question", "Order", {
        "en": "Where is my order #{order}?\nIt was supposed to arrive on Monday.",
        "ru": "Где мой заказ №{order}?\nОбещали доставить в понедельник.",
        "fa": "سفارش شماره {order} من کجاست؟\nقرار بود دوشنبه تحویل داده شود."}),
    Topic("charge", "incident", "Order", {
        "en": "I was charged twice for order #{order}\nPlease refund the extra payment.",
        "ru": "С меня дважды списали деньги за заказ №{order}\nВерните, пожалуйста, лишнее.",
        "fa": "برای سفارش {order} دو بار از حسابم پول کم شده است\nلطفاً مبلغ اضافه را برگردانید."},
        priority="high"),
    Topic("login", "incident", "Screenshot", {
        "en": "I can't log in to my account\nIt says 'wrong password' but I reset it yesterday.",
        "ru": "Не могу войти в личный кабинет\nПишет «неверный пароль», хотя вчера я его сменил.",
        "fa": "نمی‌توانم وارد حساب کاربری‌ام شوم\nمی‌گوید رمز اشتباه است، ولی دیروز آن را عوض کردم."}),
    Topic("crash", "incident", "Screenshot", {
        "en": "The app crashes when I open the cart",
        "ru": "Приложение вылетает при открытии корзины",
        "fa": "برنامه هنگام باز کردن سبد خرید بسته می‌شود"}),
    Topic("return", "question", "Order", {
        "en": "How do I return an item?\nThe jacket from order #{order} is too small.",
        "ru": "Как вернуть товар?\nКуртка из заказа №{order} не подошла по размеру.",
        "fa": "چطور می‌توانم کالا را مرجوع کنم؟\nکاپشن سفارش {order} کوچک است."}),
    Topic("address", "request", "Order", {
        "en": "Please change the delivery address for order #{order}",
        "ru": "Измените, пожалуйста, адрес доставки заказа №{order}",
        "fa": "لطفاً آدرس تحویل سفارش {order} را تغییر دهید"}),
    Topic("invoice", "request", "Documents", {
        "en": "Please send an invoice for our company",
        "ru": "Пришлите, пожалуйста, счёт на нашу компанию",
        "fa": "لطفاً برای شرکت ما فاکتور بفرستید"}),
    Topic("damaged", "incident", "Screenshot", {
        "en": "The parcel arrived damaged\nThe box was torn and the mug is broken.",
        "ru": "Посылка пришла повреждённой\nКоробка порвана, кружка разбита.",
        "fa": "بسته آسیب‌دیده به دستم رسید\nجعبه پاره بود و لیوان شکسته است."}),
    Topic("promo", "question", "Screenshot", {
        "en": "My promo code doesn't work",
        "ru": "Не работает промокод",
        "fa": "کد تخفیف من کار نمی‌کند"}),
    Topic("api", "incident", "Screenshot", {
        "en": "The API returns error 500 on /orders\nSince 10:00 every call fails.",
        "ru": "API возвращает ошибку 500 на /orders\nС 10:00 все запросы падают.",
        "fa": "API در مسیر /orders خطای 500 می‌دهد\nاز ساعت 10 همه درخواست‌ها خطا دارند."},
        priority="urgent"),
]

CLIENT_SAYS = {
    "details": {"en": "Order number is {order}, here is a screenshot.",
                "ru": "Номер заказа {order}, прикладываю скриншот.",
                "fa": "شماره سفارش {order} است، تصویر صفحه را هم فرستادم."},
    "news": {"en": "Any news?", "ru": "Есть новости?", "fa": "خبر جدیدی هست؟"},
    "again": {"en": "It happened again, the problem is back.",
              "ru": "Опять то же самое, проблема вернулась.",
              "fa": "دوباره همان مشکل پیش آمد."},
    "offer": {"en": "We have reviewed the offer, let's go ahead.",
              "ru": "Посмотрели предложение, давайте делать.",
              "fa": "پیشنهاد را بررسی کردیم، ادامه دهید."},
}
AGENT_SAYS = {
    "ask": {"ru": "{client}, здравствуйте! Уточните номер заказа или пришлите скриншот.",
            "fa": "{client} عزیز، سلام! لطفاً شماره سفارش یا تصویر صفحه را بفرستید."},
    "working": {"en": "Thanks, {client}. I'm looking into it and will get back to you soon.",
                "ru": "Спасибо, {client}. Разбираюсь, скоро вернусь с ответом.",
                "fa": "ممنون {client}. در حال بررسی هستم و به‌زودی پاسخ می‌دهم."},
    "solved": {"en": "Done: it is fixed on our side. Please check and let us know, {client}.",
               "ru": "Готово, на нашей стороне всё исправили. Проверьте, пожалуйста.",
               "fa": "انجام شد، مشکل از سمت ما برطرف شد. لطفاً بررسی کنید."},
    "hold": {"en": "We are waiting for the warehouse; I'll be back to you by "
                   "{until:%d.%m %H:%M}.",
             "ru": "Ждём ответа склада, вернусь к вам до {until:%d.%m %H:%M}.",
             "fa": "منتظر پاسخ انبار هستیم، تا {until:%d.%m %H:%M} به شما خبر می‌دهم."},
    "line2": {"en": "I've passed your request to our second-line engineers.",
              "ru": "Передал ваш вопрос инженерам второй линии.",
              "fa": "درخواست شما را به کارشناسان خط دوم ارجاع دادم."},
    "offer": {"en": "We've sent you an offer; take your time to evaluate it.",
              "ru": "Отправили вам предложение, оцените его, пожалуйста.",
              "fa": "پیشنهاد را برایتان فرستادیم، لطفاً آن را بررسی کنید."},
}
NOTES = ["Checked the payment gateway: the second charge is a pending authorisation.",
         "Warehouse says the parcel is at the sorting centre.",
         "Reproduced on Android 14, app version 5.2.1.",
         "Client called as well, same question.",
         "Fixed by the hotfix deployed this afternoon."]
LINE2_NOTES = ["Found it: a timeout in the orders service, restarted the worker.",
               "Database index was missing on orders.created_at, added it.",
               "Needs a change on the first line side: tell the client to update the app."]
RATING_COMMENTS = {5: {"en": "Fast and friendly, thanks!", "ru": "Быстро и вежливо, спасибо!",
                       "fa": "سریع و دوستانه، ممنون!"},
                   2: {"en": "Took far too long.", "ru": "Слишком долго.",
                       "fa": "خیلی طول کشید."}}
SPAM = "Earn $5000 a week from home!!! Click the link in my profile"
