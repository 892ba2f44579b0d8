/**
 * Function-word profiles of the language detector (lang.ts), written for this module: the very frequent
 * closed-class words of each language it recognises by words, and letters that point to one language or a few.
 * Data only; lang-profile-tables.ts builds the lookups the detector uses.
 */

/**
 * Languages recognised by words. Their order is part of the detector: it restricts the scoring by the text's
 * script to Latin [0, 18), Cyrillic [18, 22), Arabic [22, 25) and Devanagari [25, 28).
 */
export const LANGS = [
  'en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'no', 'fi', 'pl', 'cs', 'ro', 'hu', 'tr', 'id', 'vi',
  'ru', 'uk', 'bg', 'sr', 'ar', 'fa', 'ur', 'hi', 'mr', 'ne',
] as const;

export const WORDS: Record<(typeof LANGS)[number], string> = {
  en: 'a the of and to in is that it was for on are with as his they be at have this from or had by not but what all were we when your can said there an which she do how their if will up about out them then these so some her would him into has more could people my than been who its now did i you he me just our any also',
  fr: 'le la les de des du un une et est en que qui dans pour pas sur au aux avec ce cette il elle ils nous vous je ne se son sa ses mais ou plus par sont été être fait comme tout bien très aussi leur',
  de: 'der die das und ist nicht ein eine einen einem einer zu den dem des mit sich auf für von in im am ich du er sie es wir ihr auch als aus bei nach oder wie wird sind war hat noch nur über kann dass werden wurde mein meine seit sehr schon aber',
  es: 'el la los las de del y que en un una es por para con no se su sus al lo como más pero muy ya está son fue ha le este esta hay también cuando todo sobre entre porque',
  it: 'il lo la le gli di del della dei che e è un una per con non si da in al alla sono come ma anche più questo questa nel nella ha ho essere stato molto cui sua suo mia mio gli sempre ancora',
  pt: 'o a os as de do da dos das e que em um uma é para com não se por no na nos nas mais como mas ao foi seu sua ele ela são também está muito já há isso',
  nl: 'de het een en van in is dat op te zijn met voor niet die er aan ook als maar bij om dan wat nog wordt door hij ze wij we ik je jij me mijn naar uit kan heeft hebben heb was waren geen zo nu al deze dit hun haar zich veel erg',
  sv: 'och att det som en ett är på av för med till den inte har de om var jag han hon vi men så från kan ska också när eller efter vid under mycket',
  da: 'og at det en et er til på af for med den ikke har de som var jeg han hun vi men så fra kan skal også når eller efter ved meget nogle hvad',
  no: 'og at det en et er til på av for med den ikke har de som var jeg han hun vi men så fra kan skal også når eller etter ved mye noen hva ikkje',
  fi: 'ja on ei se että oli hän olla mutta kun tai niin myös kuin joka mitä tämä ovat ole minä sinä me vain jo sen siitä kanssa koska',
  pl: 'i w na z się nie że do to jest jak co ale o po za od przez dla tak tylko już jego jej są był była może także oraz bardzo który która które',
  cs: 'a v na se je že to s z do o ale jak jsou byl byla tak jeho také by pro po od který která které už není jsem jako když nebo',
  ro: 'și în de la a cu pe este care nu o un una că din pentru se mai sunt au fost al ale sau dar ca prin',
  hu: 'a az és hogy nem is egy van volt meg de már csak mint vagy ez azt el még be ki fel lesz után kell pedig',
  tr: 've bir bu şu da de için ile çok ne gibi daha var yok olarak ama veya en o ben sen biz onlar bana sana mı mi mu misin değil kadar sonra şey her yine benim senin',
  id: 'yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena ada saya kami kita mereka adalah bisa sudah atau oleh seperti atas banyak sangat harus lebih jika agar setelah belum kepada saat',
  vi: 'và của là có không được trong cho người những một các với này đã để khi đến như từ cũng thì nhưng rất tôi chúng năm nay hơn mọi ở đi về lại ra vào đang sẽ bị nhiều',
  ru: 'и в не на я что он с как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще нет о из ему когда это',
  uk: 'і й в не на я що він з як а то все вона так його але та ти ми до у же ви за б по тільки її мені було від мене ще немає про це є дуже',
  bg: 'и в не на аз че той с като а то всички тя така го но да ти към у ли вие за би по само нея ми беше от мен още няма е са това',
  sr: 'и у не на ја да он са као а то све она тако али ти ка је су за би по само ми било од ме још нема о из',
  ar: 'في من على إلى أن عن مع هذا هذه التي الذي كان قد لا ما هو هي كل بين أو ثم لم إن ذلك عند',
  fa: 'و در به از که این را با است برای آن یک خود تا بر هم نیز شد می بود شده کرد اما یا',
  ur: 'کے میں کی اور ہے سے کو یہ نے کا ہیں پر تھا وہ بھی ایک جو کہ لیے ہو گیا',
  hi: 'के है में की और से को का एक यह पर ने हैं भी कि था लिए तो जो हो गया कर',
  mr: 'आहे आणि या हे की व ते त्या होते म्हणून मध्ये केले नाही पण एक',
  ne: 'छ र को मा पनि यो त्यो गर्न हो भएको लागि गरेको छन् थियो',
};

/**
 * Letters that point to one language or a few. Strong hints (letters of essentially one language among the
 * candidates) add HINT_STRONG per occurrence, weak ones (shared by several) HINT_WEAK.
 */
export const HINTS_STRONG: Record<string, string> = {
  de: 'ß',
  es: 'ñ¿¡',
  pt: 'ãõ',
  fr: 'œ',
  pl: 'łąęśźż',
  cs: 'řěů',
  ro: 'șț',
  tr: 'ığİ',
  hu: 'őű',
  uk: 'іїєґ',
  sr: 'ђћџљњ',
  ru: 'ыэё',
  fa: 'پچژگ',
  ur: 'ےٹڈڑں',
};
export const HINTS_WEAK: Record<string, string> = {
  de: 'äöü',
  fr: 'çèêàùâîû',
  pt: 'çâêôà',
  it: 'òìù',
  tr: 'çşöü',
  ro: 'ăâîş',
  hu: 'öüáé',
  sv: 'åäö',
  da: 'øæå',
  no: 'øæå',
  fi: 'äö',
  pl: 'ńó',
  cs: 'ýčšž',
  bg: 'ъ',
  sr: 'ј',
  fa: 'یک',
  ur: 'ھہ',
};
export const HINT_STRONG = 0.5;
export const HINT_WEAK = 0.15;
